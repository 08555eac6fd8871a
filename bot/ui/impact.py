"""The impact report as staff see it: an embed, a chart (PNG) and a CSV, all three from the same
cells, so a count hidden in one is hidden in every one. matplotlib is imported on the first
chart only and runs in a thread (``asyncio.to_thread``), as in ``bot/ui/checkin_chart.py``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import discord
from babel.numbers import format_decimal, format_percent

from bot.i18n import N_, I18n
from bot.services.impact import COMPANY_PARTS, ROOM_BANDS, Cell, Group, Hidden, Report
from bot.services.impact_counts import Band
from bot.services.room import Audience as RoomAudience
from bot.ui.checkin import mood_label
from bot.ui.room import AUDIENCE_NAMES

BABEL = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}
BAND_NAMES = {
    Band.CAREGIVER: N_("Caregivers"),
    Band.YOUTH_MINOR: N_("Youth 13–17"),
    Band.YOUTH_ADULT: N_("Youth 18–29"),
    Band.OTHER: N_("Others"),
}
COMPANY_NAMES = {
    "served": N_("Served by a volunteer"),
    "cancelled": N_("Cancelled by the member"),
    "waiting": N_("Not taken"),
}
FOOTNOTE = N_("<5 = 1–4. * = hidden so that a small number cannot be worked out from the others.")
COLOUR = 0x4C78A8


def cell(value: Cell) -> str:
    return value.value if isinstance(value, Hidden) else str(value)


@dataclass(frozen=True)
class Texts:
    """Everything of the report in one language, as (label, value) lines per section."""

    title: str
    sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    footnote: str


def texts(i18n: I18n, locale: str, report: Report) -> Texts:
    babel = BABEL.get(locale, "fi_FI")
    days = report.period.days

    def per_day(value: Cell) -> str:
        if isinstance(value, Hidden) or not value:
            return cell(value)
        return i18n.t(locale, "{count} ({per_day} a day)", count=value, per_day=format_decimal(value / days, "0.0", locale=babel))

    def wait(value: timedelta | None) -> str:
        if value is None:
            return i18n.t(locale, "not shown (fewer than 5)")
        minutes = round(value.total_seconds() / 60)
        if minutes < 60:
            return i18n.t(locale, "{minutes} min", minutes=minutes)
        return i18n.t(locale, "{hours} h {minutes} min", hours=minutes // 60, minutes=minutes % 60)

    def share(month: str, answers: Cell, value: float | None) -> tuple[str, str]:
        year, number = month.split("-")
        label = f"{int(number)}/{year}"
        if value is None:
            return label, i18n.t(locale, "not shown ({answers} answers)", answers=cell(answers))
        percent = format_percent(value, locale=babel)
        return label, i18n.t(locale, "{percent} of {answers} answers", percent=percent, answers=cell(answers))

    sections: list[tuple[str, tuple[tuple[str, str], ...]]] = [
        (i18n.t(locale, "Active members (member-days)"), (
            *((i18n.t(locale, BAND_NAMES[Band(k)]), per_day(v)) for k, v in report.active.parts),
            (i18n.t(locale, "All"), per_day(report.active.total)),
        )),
        (i18n.t(locale, "New members"), ((i18n.t(locale, "Joined the server"), cell(report.joins)),)),
        (i18n.t(locale, "Messages in rooms"), (
            *((i18n.t(locale, AUDIENCE_NAMES[RoomAudience(k)]).capitalize(), cell(v)) for k, v in report.messages.parts),
            (i18n.t(locale, "All"), cell(report.messages.total)),
        )),
        (i18n.t(locale, "Check-ins and moods"), (
            (i18n.t(locale, "Answers"), cell(report.moods.total)),
            *((mood_label(i18n, locale, int(k)), cell(v)) for k, v in report.moods.parts),
        )),
        (i18n.t(locale, "Lonely all or most of the time"), tuple(share(m.month, m.answers, m.share) for m in report.loneliness)
         or ((i18n.t(locale, "Months"), i18n.t(locale, "no answers")),)),
        (i18n.t(locale, "Company requests"), (
            (i18n.t(locale, "Made"), cell(report.company.total)),
            *((i18n.t(locale, COMPANY_NAMES[k]), cell(v)) for k, v in report.company.parts),
            (i18n.t(locale, "Time to a volunteer, median"), wait(report.wait_median)),
            (i18n.t(locale, "Time to a volunteer, 90th percentile"), wait(report.wait_p90)),
        )),
        (i18n.t(locale, "Volunteers"), (
            (i18n.t(locale, "Hours on duty"), format_decimal(report.duty_hours, "0.0", locale=babel)),
            (i18n.t(locale, "Conversations held"), cell(report.conversations)),
        )),
        (i18n.t(locale, "Events"), ((i18n.t(locale, "Held"), cell(report.events)), (i18n.t(locale, "Going, in all"), cell(report.attendance)))),
        (i18n.t(locale, "Safety"), (
            (i18n.t(locale, "Reported messages"), cell(report.reports[0])), (i18n.t(locale, "Reports resolved"), cell(report.reports[1])),
            (i18n.t(locale, "Safety alerts"), cell(report.alerts[0])), (i18n.t(locale, "Safety alerts resolved"), cell(report.alerts[1])),
        )),
    ]
    return Texts(i18n.t(locale, "Impact report {period}", period=report.period.label()), tuple(sections), i18n.t(locale, FOOTNOTE))


def embed(words: Texts, chart_name: str) -> discord.Embed:
    shown = discord.Embed(title=words.title, colour=COLOUR)
    for name, lines in words.sections:
        shown.add_field(name=name, inline=True, value="\n".join(
            f"{label}: **{discord.utils.escape_markdown(value)}**" for label, value in lines))
    shown.set_image(url=f"attachment://{chart_name}")
    shown.set_footer(text=words.footnote)
    return shown


def csv_bytes(words: Texts) -> bytes:
    """section, item, value; the values exactly as in the embed. UTF-8 with a BOM, so that a
    spreadsheet opens the Finnish letters right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([words.title, "", ""])
    for name, lines in words.sections:
        for label, value in lines:
            writer.writerow([name, label, value])
    writer.writerow(["", words.footnote, ""])
    return out.getvalue().encode("utf-8-sig")


@dataclass(frozen=True)
class Bars:
    title: str
    labels: tuple[str, ...]
    cells: tuple[Cell, ...]


def chart_bars(i18n: I18n, locale: str, report: Report) -> tuple[Bars, ...]:
    def bars(title: str, group: Group, names: Sequence[str]) -> Bars:
        return Bars(title, tuple(names), tuple(v for _, v in group.parts))

    lonely = tuple(m for m in report.loneliness)
    return (
        bars(i18n.t(locale, "Active members (member-days)"), report.active, [i18n.t(locale, BAND_NAMES[b]) for b in Band]),
        bars(i18n.t(locale, "Messages in rooms"), report.messages, [i18n.t(locale, AUDIENCE_NAMES[a]).capitalize() for a in ROOM_BANDS]),
        bars(i18n.t(locale, "Check-ins and moods"), report.moods, [str(m) for m in range(1, 6)]),
        bars(i18n.t(locale, "Company requests"), report.company, [i18n.t(locale, COMPANY_NAMES[k]) for k in COMPANY_PARTS]),
        Bars(i18n.t(locale, "Lonely all or most of the time") + " (%)",
             tuple(f"{int(m.month[5:])}/{m.month[2:4]}" for m in lonely),
             tuple(Hidden.COMPLEMENT if m.share is None else round(100 * m.share) for m in lonely)),
    )


def render_chart(panels: Sequence[Bars], title: str, footnote: str) -> io.BytesIO:
    """Bar charts of the report's cells; a hidden cell is an empty slot marked <5 or *."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 7.5), dpi=100)  # its own Figure: no global pyplot state between threads
    grid = figure.subplots(3, 2)
    for axes, panel in zip(grid.flat, panels, strict=False):
        heights = [0 if isinstance(c, Hidden) else c for c in panel.cells]
        slots = range(len(panel.cells))
        axes.bar(slots, heights, color="#4C78A8")
        axes.set_xticks(slots, labels=list(panel.labels), fontsize=8, rotation=15)
        axes.set_title(panel.title, fontsize=10)
        top = max(heights, default=0) or 1
        axes.set_ylim(0, top * 1.2)
        for x, c in zip(slots, panel.cells, strict=True):
            axes.annotate(cell(c), (x, heights[x]), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    for axes in list(grid.flat)[len(panels):]:
        axes.set_axis_off()
        axes.text(0, 0.5, footnote, fontsize=9, wrap=True, va="center")
    figure.suptitle(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    out.seek(0)
    return out
