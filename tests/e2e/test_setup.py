"""/setup through the Discord double, with the real client. Discord sends the canonical
(English) command and option names; the member sees the localized ones."""

from __future__ import annotations

from tests.double import permissions
from tests.e2e.conftest import start_bot


def embed_text(body: dict) -> str:
    parts = [body.get("content") or ""]
    for embed in body.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


async def configure_as_admin(double, world, **extra):
    options = {
        "moderator": world.roles["moderator"], "volunteer": world.roles["volunteer"],
        "caregiver": world.roles["caregiver"], "youth_13_17": world.roles["youth_minor"],
        "moderation_log": world.channels["modlog"], "volunteer_queue": world.channels["volunteer_queue"],
        **extra,
    }
    return await double.slash(world.guild, world.people["admin"], "setup", options, sub="configure")


async def test_admin_configures_and_shows_setup_in_finnish(double, world, bot):
    h = await configure_as_admin(double, world, timezone="Europe/Helsinki")
    body = (await h.response())["data"]
    assert h.ephemeral
    assert body["content"] == "Asetukset tallennettu."
    text = embed_text(body)
    assert f"moderaattori: <@&{world.roles['moderator']}>" in text
    assert f"vapaaehtoisten jono: <#{world.channels['volunteer_queue']}>" in text
    assert "henkilökunta: ei asetettu" in text

    shown = await double.slash(world.guild, world.people["admin"], "setup", sub="show")
    assert f"moderointiloki: <#{world.channels['modlog']}>" in embed_text((await shown.response())["data"])


async def test_admin_sets_the_privacy_contact_and_keeping_times(double, world, bot):
    h = await double.slash(world.guild, world.people["admin"], "setup",
                           {"contact": "Jyväskylän nuorisopalvelut, tietosuoja@example.fi", "mood_days": 180,
                            "leaver_days": 14}, sub="privacy")
    body = (await h.response())["data"]
    assert h.ephemeral and body["content"] == "Asetukset tallennettu."
    text = embed_text(body)
    assert "Yhteystieto: Jyväskylän nuorisopalvelut, tietosuoja@example.fi" in text
    assert "mielialat 180 päivää" in text and "poistetaan 14 päivän kuluttua" in text
    config = await bot.services.setup.get(world.guild)
    assert (config.retention.mood_days, config.retention.company_days) == (180, 30)
    h = await double.slash(world.guild, world.people["moderator"], "setup", {"mood_days": 60}, sub="privacy")
    assert (await h.response())["data"]["content"] == "Tähän tarvitset Palvelimen hallinta -oikeuden."
    assert (await bot.services.setup.get(world.guild)).retention.mood_days == 180


async def test_show_in_swedish_for_a_swedish_client(double, world, bot):
    h = await double.slash(world.guild, world.people["admin"], "setup", sub="show", locale="sv-SE")
    text = embed_text((await h.response())["data"])
    assert "Kohtaamos inställningar på den här servern" in text
    assert "Inget är inställt ännu" in text


async def test_plain_member_is_refused_and_nothing_changes(double, world, bot):
    h = await double.slash(world.guild, world.people["plain"], "setup", {"language": "sv"}, sub="configure")
    body = (await h.response())["data"]
    assert h.ephemeral
    assert body["content"] == "Tähän tarvitset Palvelimen hallinta -oikeuden."
    assert (await bot.services.setup.get(world.guild)).configured is False
    h = await double.slash(world.guild, world.people["moderator"], "setup", sub="show")
    assert (await h.response())["data"]["content"] == "Tähän tarvitset Palvelimen hallinta -oikeuden."


async def test_missing_channel_permission_is_named_and_nothing_is_saved(double, world, bot):
    hidden = double.add_channel(world.guild, "salainen", overwrites=[
        {"id": str(double.bot_user_id), "type": 1, "allow": "0", "deny": str(permissions.SEND_MESSAGES)},
    ])
    h = await configure_as_admin(double, world, volunteer_queue=hidden)
    text = (await h.response())["data"]["content"]
    assert text.startswith("Mitään ei tallennettu.")
    assert f"<#{hidden}>" in text and "Lähetä viestejä" in text
    assert (await bot.services.setup.get(world.guild)).configured is False
    assert await bot.services.db.fetchone("SELECT * FROM guilds") is None


async def test_bad_time_zone_is_refused_in_the_members_language(double, world, bot):
    h = await double.slash(world.guild, world.people["admin"], "setup", {"timezone": "Europe/Hki"},
                           sub="configure", locale="en-US")
    assert (await h.response())["data"]["content"] == "Unknown time zone Europe/Hki. Use a name like Europe/Helsinki."
    assert await bot.services.db.fetchone("SELECT * FROM guilds") is None


async def test_setup_survives_a_restart_on_the_same_database(double, world, db_path, clock):
    async with start_bot(double, db_path, clock):
        await (await configure_as_admin(double, world, language="sv")).response()
    async with start_bot(double, db_path, clock) as again:
        config = await again.services.setup.get(world.guild)
        assert config.locale == "sv" and config.configured
        h = await double.slash(world.guild, world.people["admin"], "setup", sub="show", locale="de")
        assert "Kohtaamos inställningar" in embed_text((await h.response())["data"])  # guild default: sv


async def test_sync_registers_commands_with_finnish_and_swedish_names(double, world, bot):
    put = double.calls_to("PUT", r"/applications/\d+/commands$")[-1]
    setup = next(c for c in put.json if c["name"] == "setup")
    assert setup["name_localizations"] == {"fi": "asetukset", "sv-SE": "inställningar"}
    assert setup["description_localizations"]["fi"] == "Ota Kohtaamo käyttöön tällä palvelimella"
    configure = next(o for o in setup["options"] if o["name"] == "configure")
    assert configure["name_localizations"]["sv-SE"] == "konfigurera"
    names = {o["name"]: o for o in configure["options"]}
    assert names["youth_13_17"]["name_localizations"] == {"fi": "nuoret_13_17", "sv-SE": "unga_13_17"}
    assert int(setup["default_member_permissions"]) == permissions.MANAGE_GUILD


async def test_bot_survives_a_dropped_gateway_and_a_burst_of_429s(double, world, bot):
    await double.drop_gateway(resume=True)
    await double.wait_resumed()
    double.fail_next("POST", r"/interactions/\d+/[^/]+/callback", status=429, count=3, retry_after=0.05)
    h = await double.slash(world.guild, world.people["admin"], "setup", sub="show")
    assert "Kohtaamon asetukset" in embed_text((await h.response())["data"])
    assert len(double.calls_to("POST", r"/interactions/\d+/[^/]+/callback")) >= 4
    await double.drop_gateway(resume=False)
    await double.wait_ready(identifies=2)
    h = await double.slash(world.guild, world.people["admin"], "setup", sub="show")
    assert (await h.response())["data"]["embeds"]


async def test_a_members_own_language_choice_wins_over_their_client(double, world, bot):
    await bot.services.setup.set_member_locale(world.guild, world.people["admin"], "sv")
    h = await double.slash(world.guild, world.people["admin"], "setup", sub="show", locale="fi")
    assert "Kohtaamos inställningar" in embed_text((await h.response())["data"])
    other = await double.slash(world.guild, world.people["plain"], "setup", sub="show", locale="en-GB")
    assert (await other.response())["data"]["content"] == "You need the Manage Server permission for this."


async def test_a_moderator_role_the_bot_cannot_ping_is_named(double, world, bot):
    quiet = double.add_role(world.guild, "Hiljaiset moderaattorit", mentionable=False)
    h = await configure_as_admin(double, world, moderator=quiet)
    text = (await h.response())["data"]["content"]
    assert text.startswith("Mitään ei tallennettu.") and f"<@&{quiet}>" in text
    assert f"<#{world.channels['modlog']}>" in text and f"<#{world.channels['volunteer_queue']}>" in text
    assert await bot.services.db.fetchone("SELECT * FROM guilds") is None
