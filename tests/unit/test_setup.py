from __future__ import annotations

import pytest

from bot.db.setup import SetupRepo
from bot.errors import KohtaamoError
from bot.services.setup import BotChannel, BotRole, GuildConfig, Retention, SetupChange, SetupService

GUILD = 1000


@pytest.fixture
def service(db, clock):
    return SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")


async def test_unconfigured_guild_gets_defaults(service):
    config = await service.get(GUILD)
    assert (config.locale, config.timezone, config.configured) == ("fi", "Europe/Helsinki", False)


async def test_saved_setup_is_read_back_by_a_fresh_service(service, db, clock):
    change = SetupChange(roles={BotRole.MODERATOR: 11, BotRole.CAREGIVER: 12}, channels={BotChannel.MODLOG: 21},
                         locale="sv", timezone="Europe/Stockholm")
    await service.save(service.preview(await service.get(GUILD), change))
    fresh = SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")
    config = await fresh.get(GUILD)
    assert config.roles == {BotRole.MODERATOR: 11, BotRole.CAREGIVER: 12}
    assert config.channels == {BotChannel.MODLOG: 21}
    assert (config.locale, config.timezone, config.configured) == ("sv", "Europe/Stockholm", True)


async def test_a_partial_change_keeps_the_rest(service):
    await service.save(service.preview(await service.get(GUILD), SetupChange({BotRole.STAFF: 5}, {})))
    config = service.preview(await service.get(GUILD), SetupChange({BotRole.VOLUNTEER: 6}, {}))
    assert config.roles == {BotRole.STAFF: 5, BotRole.VOLUNTEER: 6}


@pytest.mark.parametrize(
    ("change", "msgid"),
    [
        (SetupChange({}, {}, locale="de"), "Unknown language {value}: choose fi, sv or en."),
        (SetupChange({}, {}, timezone="Mars/Olympus"), "Unknown time zone {value}. Use a name like Europe/Helsinki."),
        (SetupChange({BotRole.CAREGIVER: GUILD}, {}), "@everyone cannot be one of Kohtaamo's roles."),
        (SetupChange({BotRole.CAREGIVER: 3, BotRole.YOUTH_MINOR: 3}, {}),
         "Caregivers and each youth age band need different Discord roles."),
    ],
)
async def test_bad_setup_is_refused_and_nothing_saved(service, db, change, msgid):
    with pytest.raises(KohtaamoError) as raised:
        service.preview(await service.get(GUILD), change)
    assert raised.value.msgid == msgid
    assert await db.fetchone("SELECT * FROM guilds") is None


def test_role_check_with_implied_roles():
    config = GuildConfig(GUILD, roles={BotRole.MODERATOR: 1, BotRole.STAFF: 2, BotRole.VOLUNTEER: 3})
    assert config.has_role({1}, BotRole.STAFF) and config.has_role({1}, BotRole.VOLUNTEER)
    assert config.has_role({2}, BotRole.STAFF) and not config.has_role({2}, BotRole.MODERATOR)
    assert not config.has_role({99}, BotRole.VOLUNTEER)
    assert not GuildConfig(GUILD).has_role({1}, BotRole.MODERATOR)


async def test_member_language_choice(service):
    assert await service.member_locale(GUILD, 7) is None
    await service.set_member_locale(GUILD, 7, "sv")
    assert await service.member_locale(GUILD, 7) == "sv"
    with pytest.raises(KohtaamoError):
        await service.set_member_locale(GUILD, 7, "de")


async def test_company_limits_are_validated_and_kept(service):
    config = service.preview(await service.get(GUILD), SetupChange({}, {}, company_nudge_minutes=5, company_daily_cap=2))
    await service.save(config)
    assert (config.company_nudge_minutes, config.company_daily_cap) == (5, 2)
    with pytest.raises(KohtaamoError):
        service.preview(config, SetupChange({}, {}, company_nudge_minutes=500))


async def test_the_honest_time_is_kept_and_must_follow_the_nudge(service):
    assert (await service.get(GUILD)).company_honest_minutes == 60
    config = service.preview(await service.get(GUILD), SetupChange({}, {}, company_honest_minutes=25))
    await service.save(config)
    assert (await service.get(GUILD)).company_honest_minutes == 25
    for change in (SetupChange({}, {}, company_honest_minutes=4), SetupChange({}, {}, company_honest_minutes=241),
                   SetupChange({}, {}, company_nudge_minutes=30)):
        with pytest.raises(KohtaamoError):
            service.preview(config, change)


async def test_retention_and_the_privacy_contact_are_kept_and_bounded(service, db, clock):
    assert (await service.get(GUILD)).retention == Retention(30, 365, 730, 30, 30)
    change = SetupChange({}, {}, privacy_contact="  Nuorisopalvelut, tietosuoja@example.fi ",
                         retention={"mood_days": 180, "leaver_grace_days": 14})
    await service.save(service.preview(await service.get(GUILD), change))
    config = await SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki").get(GUILD)
    assert config.privacy_contact == "Nuorisopalvelut, tietosuoja@example.fi"
    assert config.retention == Retention(company_days=30, mood_days=180, case_days=730, job_days=30, leaver_grace_days=14)
    # Another change leaves what it does not name as it was.
    config = service.preview(config, SetupChange({}, {}, retention={"company_days": 7}))
    assert (config.retention.company_days, config.retention.mood_days, config.privacy_contact) == (
        7, 180, "Nuorisopalvelut, tietosuoja@example.fi")
    for days in ({"mood_days": 29}, {"case_days": 1826}, {"company_days": 0}, {"leaver_grace_days": 366}):
        with pytest.raises(KohtaamoError):
            service.preview(config, SetupChange({}, {}, retention=days))


async def test_the_members_language_is_exported_and_erased(service):
    await service.set_member_locale(GUILD, 7, "sv")
    await service.set_member_locale(GUILD + 1, 7, "en")
    await service.set_member_locale(GUILD, 8, "fi")
    assert await service.export_member(7, GUILD) == [{"language": "sv"}]
    assert await service.erase_member(7, GUILD) == 1
    assert await service.export_member(7, GUILD) == [] and await service.member_locale(GUILD, 8) == "fi"
    assert await service.export_member(7, GUILD + 1) == [{"language": "en"}]  # another server's stays
