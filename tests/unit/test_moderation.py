from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from bot.db.cases import CaseRepo
from bot.db.crypto import Sealer
from bot.db.moderation import LockRepo
from bot.db.setup import SetupRepo
from bot.errors import KohtaamoError
from bot.services.moderation import PAGE, Action, ModerationService, Standing, check_reach
from bot.services.setup import SetupChange, SetupService

GUILD, MEMBER, MOD, MOD2 = 100, 4242, 7, 8


@pytest.fixture
def setup(db, clock):
    return SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")


@pytest.fixture
def service(db, clock, setup):
    return ModerationService(CaseRepo(db, Sealer(Fernet.generate_key())), LockRepo(db), setup, clock)


ME, BOT = Standing(MOD, 5, team=True), Standing(1, 10)


@pytest.mark.parametrize(("actor", "target", "says"), [
    (ME, Standing(MOD, 5, team=True), "yourself"),
    (ME, Standing(MOD2, 1, team=True), "moderator or staff"),
    (ME, Standing(MOD2, 1, admin=True), "moderator or staff"),
    (ME, Standing(MEMBER, 5), "at or above yours"),
    (ME, Standing(MEMBER, 6), "at or above yours"),
    (Standing(MOD, 12, team=True), Standing(MEMBER, 10), "above the bot"),
    (ME, Standing(MEMBER, 1, owner=True), "owner"),
    (ME, Standing(1, 1), "itself"),
])
def test_who_may_not_be_acted_on_and_the_answer_says_why(actor, target, says):
    with pytest.raises(KohtaamoError) as caught:
        check_reach(actor, target, BOT)
    assert says in caught.value.msgid


def test_a_moderator_acts_on_members_below_and_an_admin_on_moderators():
    check_reach(ME, Standing(MEMBER, 1), BOT)
    check_reach(Standing(9, 8, admin=True), Standing(MOD2, 3, team=True), BOT)
    check_reach(Standing(9, 1, admin=True, owner=True), Standing(MOD2, 3, team=True, admin=True), BOT)


async def test_warnings_expire_after_the_servers_period_and_stay_in_the_history(service, setup, clock):
    first = await service.record(GUILD, Action.WARN, MOD, "kiroilua", target_user_id=MEMBER)
    assert first.number == 1 and first.expires_at == clock.now() + timedelta(days=90)
    await setup.save(setup.preview(await setup.get(GUILD), SetupChange({}, {}, warning_expiry_days=10)))
    clock.advance(timedelta(days=5))
    second = await service.record(GUILD, Action.WARN, MOD, "taas", target_user_id=MEMBER)
    assert second.expires_at == clock.now() + timedelta(days=10)
    assert await service.active_warnings(GUILD, MEMBER) == 2
    clock.advance(timedelta(days=11))
    assert await service.active_warnings(GUILD, MEMBER) == 1
    assert service.expired(second) and not service.expired(first)
    page = await service.history(GUILD, MEMBER, 0)
    assert [c.number for c in page.cases] == [2, 1] and page.total == 2


async def test_setup_refuses_an_expiry_out_of_range(setup):
    with pytest.raises(KohtaamoError):
        setup.preview(await setup.get(GUILD), SetupChange({}, {}, warning_expiry_days=1000))


async def test_history_pages_newest_first_and_a_note_is_not_told(service):
    for n in range(PAGE + 2):
        await service.record(GUILD, Action.NOTE, MOD, f"note {n}", target_user_id=MEMBER)
    await service.record(GUILD, Action.WARN, MOD, "other member", target_user_id=MEMBER + 1)
    first, second = await service.history(GUILD, MEMBER, 0), await service.history(GUILD, MEMBER, 1)
    assert [c.reason for c in first.cases] == [f"note {n}" for n in range(PAGE + 1, 1, -1)]
    assert [c.reason for c in second.cases] == ["note 1", "note 0"] and second.pages == 2
    assert (await service.history(GUILD, MEMBER, 9)).page == 1
    assert all(c.member_told is None for c in first.cases)


async def test_a_corrected_reason_keeps_the_old_one_and_a_missing_case_is_clear(service, db):
    case = await service.record(GUILD, Action.TIMEOUT, MOD, "spämmi", target_user_id=MEMBER,
                                duration=timedelta(hours=2))
    case = await service.told(case, False)
    assert case.member_told is False and case.duration == timedelta(hours=2)
    before, after = await service.correct(GUILD, 1, MOD2, "  roskaviestejä  ")
    assert (before.reason, after.reason) == ("spämmi", "roskaviestejä")
    assert [(e.moderator_id, e.old_reason) for e in await service.edits(after)] == [(MOD2, "spämmi")]
    with pytest.raises(KohtaamoError):
        await service.correct(GUILD, 1, MOD2, "roskaviestejä")
    with pytest.raises(KohtaamoError) as caught:
        await service.case(GUILD, 99)
    assert caught.value.params == {"number": 99}
    raw = await db.fetchall("SELECT reason_enc FROM cases UNION ALL SELECT old_reason_enc FROM case_reason_edits")
    assert not any("spämmi".encode() in bytes(r[0]) or b"roskaviest" in bytes(r[0]) for r in raw)


async def test_cases_are_kept_on_erasure_under_a_pseudonym_and_exported_without_the_moderator(service, db):
    await service.record(GUILD, Action.WARN, MOD, "syy", target_user_id=MEMBER)
    await service.record(GUILD, Action.NOTE, MOD, "toinen", target_user_id=MEMBER)
    await service.record(GUILD + 1, Action.WARN, MOD, "muualla", target_user_id=MEMBER)
    exported = await service.export_member(MEMBER, GUILD)
    assert [e["reason"] for e in exported] == ["syy", "toinen"] and "moderator_id" not in exported[0]
    assert await service.erase_member(MEMBER, GUILD) == 2
    targets = {r[0] for r in await db.fetchall("SELECT target_user_id FROM cases WHERE guild_id = ?", (GUILD,))}
    assert len(targets) == 1 and targets.pop() < 0  # one pseudonym for both: the history stays readable
    assert [e["under_pseudonym"] for e in await service.export_member(MEMBER, GUILD)] == [True, True]
    assert [e["reason"] for e in await service.export_member(MEMBER, GUILD + 1)] == ["muualla"]


async def test_a_channel_is_locked_once(service):
    await service.lock(GUILD, 55, {1: {"send_messages": True}})
    with pytest.raises(KohtaamoError):
        await service.lock(GUILD, 55, {})
    assert await service.locked(55) == {1: {"send_messages": True}}
    await service.unlocked(55)
    assert await service.locked(55) is None
