from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.safety import SafetyRepo
from bot.errors import KohtaamoError
from bot.services.safety_response import THROTTLE, SafetyResponse

GUILD, WRITER, ROOM, MOD = 100, 4242, 55, 7


@pytest.fixture
def safety(db, clock):
    return SafetyResponse(SafetyRepo(db), clock)


async def test_a_calm_message_is_no_match_and_a_crisis_opens_one_alert_per_few_hours(safety, clock):
    assert await safety.read(GUILD, WRITER, ROOM, 1, "Hyvää huomenta kaikille") is None
    first = await safety.read(GUILD, WRITER, ROOM, 2, "en jaksa enää elää")
    assert first is not None and first.fresh and not first.alert.minor and first.alert.messages == 1
    assert (await safety.minor(first.alert)).minor
    clock.advance(THROTTLE - timedelta(minutes=1))
    again = await safety.read(GUILD, WRITER, ROOM + 1, 3, "haluan kuolla")
    assert again is not None and not again.fresh and again.alert_id == first.alert.id
    assert (await safety.alert(again.alert_id)).messages == 1  # counted in memory until flushed
    counted = await safety.flush(again.alert_id)
    assert (counted.messages, counted.channel_id, counted.message_id) == (2, ROOM + 1, 3)
    other = await safety.read(GUILD, WRITER + 1, ROOM, 4, "haluan kuolla")
    assert other is not None and other.fresh
    clock.advance(timedelta(minutes=2))
    later = await safety.read(GUILD, WRITER, ROOM, 5, "haluan kuolla")
    assert later is not None and later.fresh and later.alert.id != first.alert.id


async def test_a_resolved_alert_opens_again_on_a_new_match_without_a_new_dm(safety):
    match = await safety.read(GUILD, WRITER, ROOM, 1, "haluan kuolla")
    await safety.resolve(match.alert.id, MOD)
    again = await safety.read(GUILD, WRITER, ROOM, 2, "haluan kuolla")
    assert not again.fresh and (await safety.flush(again.alert_id)).status == "open"


async def test_claim_resolve_and_the_writers_ok(safety):
    alert = (await safety.read(GUILD, WRITER, ROOM, 1, "haluan kuolla")).alert
    assert (await safety.claim(alert.id, MOD)).claimed_by == MOD
    with pytest.raises(KohtaamoError):
        await safety.claim(alert.id, MOD + 1)
    with pytest.raises(KohtaamoError):
        await safety.writer_ok(alert.id, WRITER + 1)
    assert (await safety.writer_ok(alert.id, WRITER)).writer_ok_at is not None
    assert (await safety.resolve(alert.id, MOD)).status == "resolved"
    with pytest.raises(KohtaamoError):
        await safety.resolve(alert.id, MOD)
    with pytest.raises(KohtaamoError):
        await safety.alert(999)


async def test_own_terms_rebuild_the_guilds_scanner_only(safety):
    shipped = await safety.scanner(GUILD)
    assert await safety.scanner(GUILD) is shipped and await safety.scanner(GUILD + 1) is shipped
    assert await safety.read(GUILD, WRITER, ROOM, 1, "mua pelottaa ihan hirveesti") is None
    assert await safety.add_term(GUILD, "  pelottaa   ihan hirve* ", MOD) == "pelottaa ihan hirve*"
    assert await safety.scanner(GUILD) is not shipped and await safety.scanner(GUILD + 1) is shipped
    assert await safety.read(GUILD, WRITER, ROOM, 2, "mua pelottaa ihan hirveesti") is not None
    assert await safety.read(GUILD + 1, WRITER, ROOM, 3, "mua pelottaa ihan hirveesti") is None
    for bad in ("???", "x" * 101):
        with pytest.raises(KohtaamoError):
            await safety.add_term(GUILD, bad, MOD)
    with pytest.raises(KohtaamoError):
        await safety.add_term(GUILD, "pelottaa ihan hirve*", MOD)
    await safety.remove_term(GUILD, "pelottaa ihan hirve*")
    assert await safety.scanner(GUILD) is shipped
    with pytest.raises(KohtaamoError):
        await safety.remove_term(GUILD, "pelottaa ihan hirve*")


async def test_alerts_are_exported_and_erased_with_the_writer(safety):
    await safety.read(GUILD, WRITER, ROOM, 1, "haluan kuolla")
    exported = await safety.export_member(WRITER, GUILD)
    assert exported[0]["messages"] == 1 and "text" not in exported[0]
    assert await safety.export_member(WRITER, GUILD + 1) == [] and await safety.erase_member(WRITER, GUILD + 1) == 0
    assert await safety.erase_member(WRITER, GUILD) == 1 and await safety.export_member(WRITER, GUILD) == []
