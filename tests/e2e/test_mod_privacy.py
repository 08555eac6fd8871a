"""Privacy of moderation: cases, reports and safety alerts in a member's export; what erasure
removes (alerts, their own reports, the text of reports about them) and keeps (the cases)."""

from __future__ import annotations

from tests.e2e.conftest import configure
from tests.e2e.mod_helpers import mod
from tests.e2e.room_helpers import create, eventually, room_channel
from tests.e2e.test_report import report


async def test_export_and_erasure(double, world, bot):
    await configure(bot, world)
    await create(double, world, "kahvila", "caregivers")
    room = room_channel(double, world)
    member, other = world.people["caregiver"], world.people["adult"]
    await mod(double, world, "warn", {"member": member, "reason": "Kiroilua"})
    await double.user_message(room, member, "en jaksa enää elää")
    reported = await double.user_message(world.channels["lounge"], other, "ilkeää")
    await report(double, world, "caregiver", reported, "harassment", "Minun huomioni")
    mine = await double.user_message(world.channels["lounge"], member, "huonoa käytöstä")
    await report(double, world, "adult", mine, "spam")
    db = bot.services.db
    await eventually(lambda: db.fetchone("SELECT id FROM safety_alerts"))
    exported = await bot.services.privacy.export(member, world.guild)
    assert [c["reason"] for c in exported["cases"]] == ["Kiroilua"]
    assert exported["safety_alerts"][0]["messages"] == 1
    reports = exported["reports"]
    assert any(r.get("your_words") == "Minun huomioni" for r in reports)
    about = [r for r in reports if r.get("about_your_message")]
    assert about and about[0]["text"] == "huonoa käytöstä" and str(other) not in str(about)
    erased = await bot.services.privacy.erase(member, world.guild)
    assert erased["safety_alerts"] == 1 and erased["cases"] == 1
    assert await db.fetchone("SELECT * FROM safety_alerts") is None
    assert await db.fetchone("SELECT * FROM report_reporters WHERE reporter_id = ?", (member,)) is None
    assert await db.fetchone("SELECT * FROM reports WHERE author_id = ?", (member,)) is None
    assert (await db.fetchone("SELECT text_enc FROM reports WHERE author_id < 0"))[0] is None  # kept, pseudonymised
    assert (await db.fetchone("SELECT COUNT(*) FROM cases WHERE target_user_id < 0"))[0] == 1
