from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.db.crypto import Sealer
from bot.db.reports import ReportRepo
from bot.errors import KohtaamoError
from bot.services.reports import OPEN_MAX, TEXT_MAX, Outcome, Reason, ReportService

GUILD, ROOM, AUTHOR, MOD = 100, 55, 4242, 7


@pytest.fixture
def reports(db, clock):
    return ReportService(ReportRepo(db, Sealer(Fernet.generate_key())), clock)


async def file(reports, message, reporter, reason=Reason.SPAM, note=None, text="roskaa"):
    return await reports.file(GUILD, ROOM, message, AUTHOR, text, reporter, reason, note)


async def test_one_report_per_message_however_many_report_it(reports):
    first = await file(reports, 1, 10, Reason.HARASSMENT, "  toinen   kerta ")
    second = await file(reports, 1, 11, Reason.UNSAFE)
    assert first.fresh and not second.fresh and second.report.id == first.report.id
    assert [(r.reporter_id, r.reason, r.note) for r in second.report.reporters] == [
        (10, "harassment", "toinen kerta"), (11, "unsafe", None)]
    with pytest.raises(KohtaamoError):
        await file(reports, 1, 10)
    with pytest.raises(KohtaamoError):
        await reports.file(GUILD, ROOM, 2, AUTHOR, "x", AUTHOR, Reason.OTHER, None)
    long = await file(reports, 3, 10, text="y" * (TEXT_MAX + 50))
    assert len(long.report.text) == TEXT_MAX


async def test_at_most_three_open_reports_and_a_resolved_one_frees_a_place(reports):
    filed = [await file(reports, n, 10) for n in range(OPEN_MAX)]
    with pytest.raises(KohtaamoError) as caught:
        await file(reports, 99, 10)
    assert caught.value.params == {"max": OPEN_MAX}
    claimed = await reports.claim(filed[0].report.id, MOD)
    assert claimed.status == "claimed" and claimed.claimed_by == MOD
    with pytest.raises(KohtaamoError):
        await reports.claim(filed[0].report.id, MOD)
    done = await reports.resolve(filed[0].report.id, MOD, Outcome.NO_ACTION)
    assert (done.status, done.outcome, done.resolved_by) == ("resolved", "no_action", MOD)
    with pytest.raises(KohtaamoError):
        await reports.resolve(filed[0].report.id, MOD, Outcome.ACTED)
    assert (await file(reports, 99, 10)).fresh
    again = await file(reports, 0, 11)  # the resolved message reported anew: a new report
    assert again.fresh and again.report.id != filed[0].report.id


async def test_privacy_reporters_withdraw_their_reports_and_authors_lose_the_text(reports, db):
    await file(reports, 1, 10, note="minun sanani")
    await file(reports, 1, 11)
    await file(reports, 2, 10)
    made = await reports.export_member(10, GUILD)
    assert [m.get("your_words") for m in made if m.get("made_by_you")] == ["minun sanani", None]
    about = await reports.export_member(AUTHOR, GUILD)
    assert all("reporter" not in str(k) for row in about for k in row) and about[0]["text"] == "roskaa"
    await reports.erase_member(10, GUILD)
    rows = await db.fetchall("SELECT r.message_id, p.reporter_id FROM reports r JOIN report_reporters p ON p.report_id = r.id")
    assert [tuple(r) for r in rows] == [(1, 11)]
    await reports.erase_member(AUTHOR, GUILD)
    row = await db.fetchone("SELECT text_enc, author_id FROM reports")
    assert row[0] is None and row[1] < 0  # kept for the moderators under the author's pseudonym
    assert (await reports.export_member(AUTHOR, GUILD))[0]["under_pseudonym"]
    raw = await db.fetchall("SELECT note_enc FROM report_reporters")
    assert not any(b"sanani" in bytes(r[0] or b"") for r in raw)
