"""The impact report: small-cell suppression (checked against every reading a reader could make),
the period, the daily aggregates and their rollup on a fake clock, duty hours, the figures."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from bot.db.checkin import CheckinRepo
from bot.db.crypto import Sealer
from bot.db.impact import ImpactRepo
from bot.db.room import RoomRepo
from bot.db.setup import SetupRepo
from bot.db.volunteer import VolunteerRepo
from bot.errors import KohtaamoError
from bot.services import impact as rules
from bot.services.checkin_personal import PersonalCheckins
from bot.services.impact import Hidden, ImpactService, Period, period_of, small, summarize, suppress, waits
from bot.services.impact_counts import Band, ImpactCounts, day_spans, next_rollup
from bot.services.room import RoomService
from bot.services.setup import BotRole, SetupChange, SetupService
from bot.services.volunteer import Audience, VolunteerService

GUILD = 100
ROLES = {BotRole.CAREGIVER: 11, BotRole.YOUTH_MINOR: 12, BotRole.YOUTH_ADULT: 13, BotRole.STAFF: 14}
NOON = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # 10.12.2026 12.00 Helsinki
S, C = Hidden.SMALL, Hidden.COMPLEMENT


# ----- small cells ------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "parts", "expected"), [
    (20, [5, 5, 10], [20, 5, 5, 10]),  # nothing small
    (0, [0, 0, 0], [0, 0, 0, 0]),  # zeros are shown
    (10, [3, 7], [10, S, C]),  # one small part: the other goes too
    (10, [3, 0, 7], [10, S, 0, C]),  # never a 0 as the second cell
    (13, [3, 5, 5], [13, S, C, C]),  # "*" is at most any count shown: one 5 would tell the other
    (30, [3, 6, 9, 12], [30, S, C, 9, 12]),  # the smallest count shown goes
    (10, [2, 3, 5], [10, S, S, 5]),  # two small parts already hide each other
    (8, [4, 4], [C, S, S]),  # 4 + 4 = 8 would tell both: the total goes
    (3, [3, 0], [S, S, 0]),
])
def test_suppress(total, parts, expected):
    shown_total, shown_parts = suppress(total, parts)
    assert [shown_total, *shown_parts] == expected


def readings(total_cell, cells, total_max):
    """Every (total, parts) a reader who knows the rules finds consistent with what is shown."""
    shown = [c for c in cells if isinstance(c, int) and not isinstance(c, Hidden)]
    ceiling = min((c for c in shown if c > 0), default=total_max)

    def options(cell):
        if cell is S:
            return range(1, 5)
        if cell is C:
            return range(5, ceiling + 1)
        return [cell]

    for parts in itertools.product(*(options(c) for c in cells)):
        total = sum(parts)
        if total in options(total_cell):
            yield total, parts


def test_no_hidden_count_can_be_worked_out_from_the_others():
    picker = random.Random(7)
    checked = 0
    for _ in range(400):
        parts = [picker.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 12]) for _ in range(picker.randint(2, 4))]
        total_cell, cells = suppress(sum(parts), parts)
        assert total_cell in (sum(parts), S, C)
        found = list(readings(total_cell, cells, sum(parts) + 20))
        assert (sum(parts), tuple(parts)) in found
        hidden = [i for i, c in enumerate(cells) if isinstance(c, Hidden)]
        if len(hidden) == sum(1 for p in parts if p) and isinstance(total_cell, Hidden):
            continue  # everything that can be hidden is (e.g. 1 + 1 + 1 + 1 < 5): nothing more to do
        for i in hidden:
            assert len({parts_[i] for _, parts_ in found}) > 1, (parts, total_cell, cells)
        checked += 1
    assert checked > 300


def test_a_single_count_under_five_is_hidden():
    assert [small(n) for n in (0, 1, 4, 5, 99)] == [0, S, S, 5, 99]


def test_median_and_p90_only_from_five_waits():
    minutes = [timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert waits(minutes) == (None, None)
    assert waits([*minutes, timedelta(minutes=30)]) == (timedelta(minutes=3), timedelta(minutes=30))
    ten = [timedelta(minutes=m) for m in range(1, 11)]
    assert waits(ten) == (timedelta(minutes=5, seconds=30), timedelta(minutes=9))


# ----- the period -------------------------------------------------------------------------

TODAY = date(2026, 12, 10)


def test_periods_as_typed():
    assert period_of(None, None, None, TODAY) == Period(date(2026, 12, 1), TODAY)  # this month so far
    assert period_of(None, None, "11.2026", TODAY) == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period_of(None, None, "2026-12", TODAY) == Period(date(2026, 12, 1), TODAY)  # up to today
    assert period_of("1.11.", None, None, TODAY) == Period(date(2026, 11, 1), TODAY)
    assert period_of("1.11.2026", "15.11.2026", None, TODAY).days == 15
    assert period_of("20.12.", "31.12.", None, TODAY) == Period(date(2025, 12, 20), date(2025, 12, 31))  # looking back
    assert period_of("2026-12-10", "10.12.2026", None, TODAY).days == 1
    assert Period(date(2025, 11, 1), date(2026, 12, 10)).months()[0] == "2026-01"  # the last 12 months
    assert Period(date(2026, 12, 1), date(2026, 12, 31)).label() == "1.12.2026–31.12.2026"


@pytest.mark.parametrize(("start", "end", "month", "msgid"), [
    ("11.12.2026", None, None, rules.FUTURE),
    ("1.12.2026", "11.12.2026", None, rules.FUTURE),
    (None, None, "1.2027", rules.FUTURE),
    ("5.12.2026", "1.12.2026", None, rules.END_FIRST),
    ("eilen", None, None, "I could not read the date “{text}”. Write it like 1.12.2026, 1.12. or 2026-12-01."),
    ("31.11.2026", None, None, "There is no such date as “{text}”. Write it like 1.12.2026, 1.12. or 2026-12-01."),
    (None, None, "joulukuu", rules.BAD_MONTH),
    (None, None, "13.2026", rules.BAD_MONTH),
    ("1.12.", None, "12.2026", rules.NOT_BOTH),
    (None, "1.12.", None, rules.NO_START),
    ("1.1.2025", "10.12.2026", None, rules.TOO_LONG),
])
def test_bad_periods_get_a_clear_answer(start, end, month, msgid):
    with pytest.raises(KohtaamoError) as raised:
        period_of(start, end, month, TODAY)
    assert raised.value.msgid == msgid


# ----- counting, rollup, duty ---------------------------------------------------------------


@pytest.fixture
def sealer():
    return Sealer(Fernet.generate_key())


@pytest.fixture
async def setup(db, clock):
    service = SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")
    await service.save(service.preview(await service.get(GUILD), SetupChange(roles=dict(ROLES), channels={})))
    return service


class Monotonic:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
async def counts(db, clock, sealer, scheduler, setup):
    rooms = RoomService(RoomRepo(db), scheduler, setup, clock)
    made = ImpactCounts(ImpactRepo(db, sealer), setup, rooms, scheduler, clock, Monotonic())
    scheduler.register(ImpactCounts.KIND_ROLLUP, made.on_rollup)
    return made


@pytest.fixture
def service(db, clock, sealer, scheduler, setup, counts):
    checkins = PersonalCheckins(CheckinRepo(db, sealer), scheduler, clock)
    return ImpactService(ImpactRepo(db, sealer), counts, checkins, setup, clock)


async def add_room(db, channel_id, audience, status="live"):
    stamp = NOON.isoformat()
    await db.execute(
        "INSERT INTO rooms (guild_id, channel_id, name, name_key, audience, language, status, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, 'fi', ?, ?, ?)",
        (GUILD, channel_id, f"r{channel_id}", f"r{channel_id}", audience, status, stamp, stamp),
    )


async def rows(db, table):
    return [dict(r) for r in await db.fetchall(f"SELECT * FROM {table}")]


async def test_a_members_day_tags_are_exported_and_erased_written_or_not(db, clock, counts):
    clock.advance(NOON - clock.now())
    await counts.message(GUILD, 1, {11}, None)
    await counts.message(GUILD, 2, {11}, None)
    await counts.flush()
    clock.advance(timedelta(days=1))
    await counts.message(GUILD, 1, {11}, None)  # today's, still only in memory
    assert await counts.export_member(1, GUILD) == [{"active_on": "2026-12-10"}, {"active_on": "2026-12-11"}]
    assert await counts.export_member(1, GUILD + 1) == []
    assert await counts.erase_member(1, GUILD) == 2
    await counts.flush()
    assert await counts.export_member(1, GUILD) == []
    assert len(await rows(db, "impact_seen")) == 1  # the other member's
    await counts.message(GUILD, 1, {11}, None)  # active again after the erasure: counted again
    assert await counts.export_member(1, GUILD) == [{"active_on": "2026-12-11"}]


async def test_messages_are_counted_in_memory_and_written_on_flush(db, clock, counts):
    await add_room(db, 500, "caregivers")
    await add_room(db, 501, "youth_13_17")
    await add_room(db, 502, "adults", status="archived")
    clock.advance(NOON - clock.now())
    for user, roles, channel in ((1, {11}, 500), (1, {11}, 500), (2, {12}, 501), (3, {11, 12}, 501),
                                 (4, set(), 502), (5, {13}, None)):
        await counts.message(GUILD, user, roles, channel)
    assert await rows(db, "impact_seen") == [] and await rows(db, "impact_daily") == []  # no write per message
    await counts.flush()
    seen = await rows(db, "impact_seen")
    assert sorted(r["band"] for r in seen) == ["caregiver", "other", "youth_adult", "youth_minor", "youth_minor"]
    assert all(r["day"] == "2026-12-10" and len(r["tag"]) == 64 for r in seen)
    daily = {(r["metric"], r["band"]): r["value"] for r in await rows(db, "impact_daily")}
    assert daily == {("messages", "caregivers"): 2, ("messages", "youth_13_17"): 2}  # an archived room is no room
    await counts.message(GUILD, 1, {11}, 500)  # seen already today: no second tag
    await counts.flush()
    assert len(await rows(db, "impact_seen")) == 5
    dump = str(await rows(db, "impact_seen")) + str(await rows(db, "impact_daily"))
    assert not any(f"'{u}'" in dump or f" {u}," in dump for u in (1, 2, 3, 4, 5))  # tags, never ids


async def test_the_daily_rollup_turns_tags_into_counts_and_deletes_them(db, clock, counts, scheduler):
    clock.advance(NOON - clock.now())
    await counts.resume()
    job = (await scheduler.repo.pending())[0]
    assert job.kind == "impact_rollup" and job.due_at == datetime(2026, 12, 10, 22, 5, tzinfo=UTC)  # 00.05 Helsinki
    for user in range(1, 8):
        await counts.message(GUILD, user, {11} if user < 7 else {12}, None)
    await counts.flush()
    clock.advance(job.due_at - clock.now() - timedelta(minutes=10))  # 23.55: the day is not over
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=10))
    assert await scheduler.run_due() == 1
    assert await rows(db, "impact_seen") == []
    assert {(r["day"], r["band"]): r["value"] for r in await rows(db, "impact_daily")} == {
        ("2026-12-10", "caregiver"): 6, ("2026-12-10", "youth_minor"): 1,
    }
    nxt = (await scheduler.repo.pending())[0]
    assert nxt.due_at == datetime(2026, 12, 11, 22, 5, tzinfo=UTC)
    await counts.message(GUILD, 1, {11}, None)  # the same member on a new day: a new tag
    await counts.flush()
    assert len(await rows(db, "impact_seen")) == 1


async def test_after_downtime_the_start_rolls_up_the_days_missed(db, clock, counts):
    clock.advance(NOON - clock.now())
    await counts.message(GUILD, 1, {11}, None)
    await counts.flush()
    clock.advance(timedelta(days=3))
    await counts.resume()
    assert await rows(db, "impact_seen") == []
    assert [r["value"] for r in await rows(db, "impact_daily")] == [1]


def test_day_spans_cut_at_local_midnight_also_across_daylight_saving():
    start = datetime(2026, 12, 10, 20, 0, tzinfo=UTC)  # 22.00 Helsinki
    assert day_spans(start, start + timedelta(hours=4), "Europe/Helsinki") == [("2026-12-10", 7200), ("2026-12-11", 7200)]
    spring = datetime(2026, 3, 28, 21, 0, tzinfo=UTC)  # 23.00, the night the clocks go forward
    assert day_spans(spring, spring + timedelta(hours=3), "Europe/Helsinki") == [("2026-03-28", 3600), ("2026-03-29", 7200)]
    assert next_rollup(datetime(2026, 12, 10, 22, 5, tzinfo=UTC), "Europe/Helsinki") == datetime(
        2026, 12, 11, 22, 5, tzinfo=UTC)


async def test_duty_hours_are_counted_per_day_from_duty_changes(db, clock, scheduler, counts, service):
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)
    volunteers.duty_watchers.append(counts.duty_changed)
    scheduler.register(VolunteerService.KIND_OFF_DUTY, volunteers.expire_duty)
    await volunteers.add(GUILD, 7, display_name="Ville", languages={"fi"}, audiences={Audience.CAREGIVER},
                         minors_cleared=False)
    clock.advance(datetime(2026, 12, 9, 21, 0, tzinfo=UTC) - clock.now())  # 23.00 Helsinki
    await volunteers.on_duty(GUILD, 7)
    clock.advance(timedelta(minutes=30))
    await volunteers.on_duty(GUILD, 7, hours=1)  # extended: the duty still started at 23.00
    clock.advance(timedelta(hours=2))  # the off-duty job comes due at 00.30
    assert await scheduler.run_due() == 1
    daily = {(r["day"], r["metric"]): r["value"] for r in await rows(db, "impact_daily")}
    assert daily == {("2026-12-09", "duty_seconds"): 3600, ("2026-12-10", "duty_seconds"): 1800}
    assert await rows(db, "impact_duty_open") == []
    await volunteers.on_duty(GUILD, 7)  # on duty now: counted up to now in a report
    clock.advance(timedelta(hours=3))
    figures = await service.figures(GUILD, Period(date(2026, 12, 1), date(2026, 12, 10)))
    assert figures.duty_seconds == 3600 + 1800 + 3 * 3600
    await volunteers.off_duty(GUILD, 7)
    await volunteers.remove(GUILD, 7)
    assert await rows(db, "impact_duty_open") == []


# ----- the figures --------------------------------------------------------------------------


async def add_request(db, status, created, claimed=None, tag="x"):
    await db.execute(
        "INSERT INTO company_requests (guild_id, requester_tag, requester_enc, pseudonym, audience, language, kind, "
        "locale, status, created_at, give_up_at, claimed_at) VALUES (?, ?, x'00', 1234, 'caregiver', 'fi', "
        "'chat_now', 'fi', ?, ?, ?, ?)",
        (GUILD, tag, status, created.isoformat(), created.isoformat(), None if claimed is None else claimed.isoformat()),
    )


async def test_the_figures_of_a_period(db, clock, sealer, service, counts):
    clock.advance(NOON - clock.now())
    day = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    for i in range(6):
        await add_request(db, "ended", day, day + timedelta(minutes=i + 1), tag=f"s{i}")
    await add_request(db, "cancelled", day, tag="c")
    await add_request(db, "open", day, tag="o")
    await add_request(db, "withdrawn", day, tag="w")  # never reached the queue
    await add_request(db, "ended", day - timedelta(days=30), day - timedelta(days=30), tag="old")
    checkins = CheckinRepo(db, sealer)
    room = await checkins.add_room(GUILD, 9, 127, 600, "Europe/Helsinki", "fi", None, day)
    occurrence = await checkins.add_occurrence(GUILD, day, room_id=room["id"])
    for voter, mood in enumerate((3, 3, 4, 5, 5, 5)):
        await checkins.vote(occurrence["id"], f"v{voter}", mood)
    await checkins.save_mood(1, occurrence["id"], 2, day)
    for user, answer in enumerate((1, 2, 3, 4, 5, 5, 5, 2)):
        await checkins.save_loneliness(user, GUILD, "2026-12", answer, day)
    await counts.joined(GUILD)
    figures = await service.figures(GUILD, Period(date(2026, 12, 1), date(2026, 12, 10)))
    assert figures.company == {"served": 6, "cancelled": 1, "waiting": 1}
    assert figures.moods == {1: 0, 2: 1, 3: 2, 4: 1, 5: 3}
    assert figures.loneliness == {"2026-12": (3, 8)} and figures.joins == 1
    report = summarize(figures)
    # 1 + 1 would follow from 8 - 6: the served count goes too, and the conversations are that same cell
    assert report.company.total == 8 and dict(report.company.parts) == {"served": C, "cancelled": S, "waiting": S}
    assert report.wait_median == timedelta(minutes=3, seconds=30) and report.wait_p90 == timedelta(minutes=6)
    assert dict(report.moods.parts) == {"1": 0, "2": S, "3": S, "4": S, "5": S} and report.moods.total == 7
    assert report.loneliness[0].answers == 8 and report.loneliness[0].share is None  # 3 lonely: hidden
    assert report.joins == S and report.conversations == C


async def test_loneliness_share_shown_from_five_on_each_side(db, clock, sealer, service):
    checkins = CheckinRepo(db, sealer)
    for user in range(12):
        await checkins.save_loneliness(user, GUILD, "2026-11", 1 if user < 5 else 4, NOON)
    report = summarize(await service.figures(GUILD, Period(date(2026, 11, 1), date(2026, 11, 30))))
    assert report.loneliness == (rules.MonthShare("2026-11", 12, 5 / 12),)


async def test_a_period_with_nothing_recorded_says_so(clock, service):
    with pytest.raises(KohtaamoError) as raised:
        await service.report(GUILD, Period(date(2026, 11, 1), date(2026, 11, 30)))
    assert raised.value.msgid == rules.NO_DATA and raised.value.params == {"period": "1.11.2026–30.11.2026"}


def test_band_of_a_member_by_mapped_roles():
    from bot.services.impact_counts import band_of
    from bot.services.setup import GuildConfig

    config = GuildConfig(GUILD, roles=dict(ROLES))
    assert band_of(config, {11, 12}) is Band.YOUTH_MINOR  # a young carer of 13–17 counts as 13–17
    assert band_of(config, {11, 13}) is Band.YOUTH_ADULT
    assert band_of(config, {11}) is Band.CAREGIVER and band_of(config, {14}) is Band.OTHER


async def test_a_duty_that_began_before_it_was_counted_counts_from_the_start_after(db, clock, scheduler, counts):
    volunteers = VolunteerService(VolunteerRepo(db), scheduler, clock)  # no watcher: as before the report
    await volunteers.add(GUILD, 7, display_name="Ville", languages={"fi"}, audiences={Audience.CAREGIVER},
                         minors_cleared=False)
    await volunteers.on_duty(GUILD, 7)
    await volunteers.add(GUILD, 8, display_name="Veera", languages={"fi"}, audiences={Audience.CAREGIVER},
                         minors_cleared=False)  # not on duty
    clock.advance(NOON - clock.now())
    await counts.resume()
    open_rows = await rows(db, "impact_duty_open")
    assert len(open_rows) == 1 and open_rows[0]["since"].startswith("2026-12-10T10:00")
    await counts.resume()  # a second start changes nothing
    assert await rows(db, "impact_duty_open") == open_rows
