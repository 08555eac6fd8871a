"""Reveals, blocks (by member and by request, without learning who), and what the member
writes before the conversation opens."""

from __future__ import annotations

from bot.services.company import HELD_MAX, EndedBy, Status
from tests.unit.company_env import GUILD, MEMBER, MOD, OTHER_GUILD, ask, env, job_status, refused

__all__ = ["env"]  # the fixture


async def test_reveal_needs_a_reason_and_is_recorded(env):
    request = await ask(env)
    for reason in ("", "   lyhyt   ", "x" * 501):
        await refused(env.moderation.reveal(request.id, MOD, reason))
    assert (await refused(env.moderation.reveal(request.id, MOD, "short"))).params == {"min": 10}
    assert (await refused(env.moderation.reveal(request.id, MOD, "Vakava huoli turvallisuudesta",
                                                guild_id=OTHER_GUILD))).msgid == "There is no such request."
    assert (await env.db.fetchone("SELECT COUNT(*) FROM company_reveals"))[0] == 0
    assert await env.moderation.reveal(request.id, MOD, "  Vakava huoli turvallisuudesta  ", guild_id=GUILD) == MEMBER
    row = await env.db.fetchone("SELECT * FROM company_reveals")
    assert (row["guild_id"], row["request_id"], row["moderator_id"]) == (GUILD, request.id, MOD)
    assert row["created_at"] and env.company.repo.sealer.open(row["reason_enc"]) == "Vakava huoli turvallisuudesta"
    assert (await refused(env.moderation.reveal(999, MOD, "Vakava huoli turvallisuudesta"))).msgid == \
        "There is no such request."


async def test_block_and_unblock_by_member_are_numbered_cases(env):
    request = await ask(env)
    tag = env.company.repo.member_tag(MEMBER)
    block = await env.moderation.block(GUILD, MOD, "Toistuvaa asiatonta käytöstä", member_id=MEMBER)
    assert block.case == 1 and await env.company.repo.is_blocked(GUILD, tag)
    assert not await env.company.repo.is_blocked(OTHER_GUILD, tag)
    assert [r.id for r in block.cancelled] == [request.id]
    cancelled = await env.company.get(request.id)
    assert cancelled.status is Status.CANCELLED and cancelled.ended_by is EndedBy.MODERATOR
    assert await job_status(env, env.company.KIND_GIVE_UP, request.id) == "cancelled"
    error = await refused(ask(env))
    assert error.msgid.startswith("You can't ask for company") and error.params == {}
    assert (await refused(env.moderation.block(GUILD, MOD, "Toistuvaa asiatonta käytöstä", member_id=MEMBER))).msgid \
        == "This member is already blocked from asking for company."
    await refused(env.moderation.block(GUILD, MOD, "liian", member_id=5))  # the reason is too short
    assert (await env.moderation.unblock(GUILD, MOD, "Keskusteltu, jatketaan", member_id=MEMBER)).case == 2
    assert (await refused(env.moderation.unblock(GUILD, MOD, "Keskusteltu, jatketaan", member_id=MEMBER))).msgid == \
        "This member is not blocked from asking for company."
    assert (await env.moderation.block(OTHER_GUILD, MOD, "Eri palvelimen tapaus", member_id=5)).case == 1
    assert (await ask(env)).status is Status.OPEN
    rows = await env.db.fetchall("SELECT guild_id, number, kind, target_user_id, moderator_id FROM cases ORDER BY id")
    assert [tuple(r) for r in rows] == [
        (GUILD, 1, "company_block", MEMBER, MOD),
        (GUILD, 2, "company_unblock", MEMBER, MOD),
        (OTHER_GUILD, 1, "company_block", 5, MOD),
    ]


async def test_a_block_by_request_never_learns_the_member(env, tmp_path):
    request = await ask(env)
    for text in (str(request.id), f"#{request.id}", f"Vieras {request.pseudonym}", f"Guest {request.pseudonym}",
                 f" gäst{request.pseudonym} "):
        assert (await env.moderation.find(GUILD, text)).id == request.id
    for text in ("", "Vieras", "abc", "999", f"Vieras {request.pseudonym}1"):
        assert (await refused(env.moderation.find(GUILD, text))).msgid.startswith("There is no request")
    await refused(env.moderation.find(OTHER_GUILD, str(request.id)))
    block = await env.moderation.block(GUILD, MOD, "Asiatonta viestittelyä", request=request)
    assert block.request == request and [r.id for r in block.cancelled] == [request.id]
    assert "requester" not in repr(block)  # the Request carries no member id, by design
    row = await env.db.fetchone("SELECT kind, target_user_id, request_id FROM cases")
    assert tuple(row) == ("company_block", None, request.id)
    assert (await refused(ask(env))).msgid.startswith("You can't ask for company")
    await refused(env.moderation.block(GUILD, MOD, "Asiatonta viestittelyä", request=request))  # once is enough
    await refused(env.moderation.block(GUILD, MOD, "Asiatonta viestittelyä"))  # neither member nor request
    await refused(env.moderation.block(GUILD, MOD, "Asiatonta viestittelyä", member_id=MEMBER, request=request))
    unblock = await env.moderation.unblock(GUILD, MOD, "Selvitetty, saa pyytää", request=request)
    assert unblock.case == 2 and (await ask(env)).status is Status.OPEN
    cases = await env.db.fetchall("SELECT target_user_id FROM cases")
    assert [r[0] for r in cases] == [None, None]


async def test_a_pseudonym_finds_the_live_request_first(env):
    first = await ask(env)
    await env.company.cancel(first.id, MEMBER)
    second = await ask(env, user_id=MEMBER + 1)
    await env.db.execute("UPDATE company_requests SET pseudonym = ? WHERE id = ?", (first.pseudonym, second.id))
    assert (await env.moderation.find(GUILD, f"Vieras {first.pseudonym}")).id == second.id
    await env.company.cancel(second.id, MEMBER + 1)
    assert (await env.moderation.find(GUILD, f"Vieras {first.pseudonym}")).id == second.id  # the newest


async def test_a_block_leaves_a_live_conversation_to_the_people_in_it(env):
    request = await ask(env)
    await env.company.claim(request.id, 1)
    block = await env.moderation.block(GUILD, MOD, "Toistuvaa asiatonta käytöstä", request=request)
    assert block.cancelled == [] and (await env.company.get(request.id)).status is Status.CLAIMED


async def test_messages_are_kept_sealed_in_order_up_to_a_cap_and_go_with_the_request(env):
    request = await ask(env)
    assert [await env.company.hold(request.id, f"viesti {i}") for i in range(3)] == [1, 2, 3]
    held = await env.company.held(request.id)
    assert [text for _, text in held] == ["viesti 0", "viesti 1", "viesti 2"]
    raw = await env.db.fetchall("SELECT text_enc FROM company_pending_messages")
    assert all(b"viesti" not in bytes(r[0]) for r in raw)
    await env.company.delivered(held[0][0])
    assert [text for _, text in await env.company.held(request.id)] == ["viesti 1", "viesti 2"]
    for i in range(3, HELD_MAX + 1):
        await env.company.hold(request.id, f"viesti {i}")
    assert await env.company.hold(request.id, "yksi liikaa") == 0
    assert len(await env.company.held(request.id)) == HELD_MAX
    await env.company.cancel(request.id, MEMBER)
    assert await env.company.held(request.id) == []


async def test_kept_messages_wait_for_a_thread_after_a_restart(env):
    request = await ask(env)
    await env.company.hold(request.id, "odotan")
    assert await env.company.with_held() == []  # nobody took it yet
    await env.company.claim(request.id, 1)
    assert await env.company.with_held() == []  # no thread yet
    await env.company.set_thread(request.id, 777)
    assert [r.id for r in await env.company.with_held()] == [request.id]
    await env.company.end(request.id, "volunteer", 1)
    assert await env.company.with_held() == [] and await env.company.held(request.id) == []
