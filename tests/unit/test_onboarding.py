from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.db.cases import CaseRepo
from bot.db.crypto import Sealer
from bot.db.onboarding import OnboardingRepo
from bot.db.setup import SetupRepo
from bot.errors import KohtaamoError
from bot.i18n import I18n
from bot.services.onboarding import (
    DEFAULT_RULES,
    RULES_MAX,
    AgeBand,
    CommunityRules,
    OnboardingService,
    RulesService,
    Who,
)
from bot.services.setup import BotRole, SetupService

GUILD, OTHER, MEMBER, MODERATOR = 100, 200, 4242, 7


@pytest.fixture
def rules(db, clock):
    i18n = I18n()
    return RulesService(OnboardingRepo(db), clock, lambda locale: i18n.t(locale, DEFAULT_RULES))


@pytest.fixture
def service(db, clock, rules):
    setup = SetupService(SetupRepo(db), clock, "fi", "Europe/Helsinki")
    return OnboardingService(OnboardingRepo(db), rules, setup, CaseRepo(db, Sealer(Fernet.generate_key())), clock)


async def test_rules_default_per_language_until_staff_edit_them(rules):
    fi, sv, en = [await rules.current(GUILD, loc) for loc in ("fi", "sv", "en")]
    assert fi.version == sv.version == en.version == 0
    assert fi.text.startswith("1. Ole ystävällinen.") and sv.text.startswith("1. Var vänlig.")
    assert en.text == DEFAULT_RULES


async def test_every_edit_raises_the_guilds_version_and_other_languages_keep_their_text(rules):
    assert (await rules.edit(GUILD, "fi", "  Ole kiltti.  ")).version == 1
    assert (await rules.edit(GUILD, "sv", "Var snäll.")).version == 2
    assert (await rules.edit(GUILD, "fi", "Ole tosi kiltti.")).version == 3
    assert await rules.current(GUILD, "fi") == CommunityRules("Ole tosi kiltti.", 3)
    assert (await rules.current(GUILD, "sv")).text == "Var snäll."
    assert (await rules.current(GUILD, "en")).text == DEFAULT_RULES  # not edited: the default
    assert (await rules.current(GUILD, "en")).version == 3
    assert (await rules.current(OTHER, "fi")).version == 0  # guilds are apart


@pytest.mark.parametrize(("locale", "text"), [("fi", "   "), ("fi", "x" * (RULES_MAX + 1)), ("de", "Regeln")])
async def test_bad_rules_are_refused_and_nothing_changes(rules, locale, text):
    with pytest.raises(KohtaamoError):
        await rules.edit(GUILD, locale, text)
    assert (await rules.current(GUILD, "fi")).version == 0


async def test_accept_records_once_with_the_language(service, db):
    assert await service.accept(GUILD, MEMBER, "sv", Who.BOTH, AgeBand.ADULT, 0)
    assert not await service.accept(GUILD, MEMBER, "fi", Who.CAREGIVER, None, 0)  # a second Accept
    choices = await service.choices(GUILD, MEMBER)
    assert (choices.caregiver, choices.age_band, choices.rules_version) == (True, AgeBand.ADULT, 0)
    assert choices.roles == [BotRole.CAREGIVER, BotRole.YOUTH_ADULT]
    assert await service.setup.member_locale(GUILD, MEMBER) == "sv"


async def test_under_13_is_never_recorded(service, db):
    with pytest.raises(KohtaamoError):
        await service.accept(GUILD, MEMBER, "fi", Who.YOUTH, AgeBand.UNDER_13, 0)
    for table in ("member_onboarding", "member_prefs", "cases"):
        assert (await db.fetchone(f"SELECT COUNT(*) FROM {table}"))[0] == 0


async def test_caregiver_can_be_dropped_only_by_a_young_person(service):
    await service.accept(GUILD, MEMBER, "fi", Who.CAREGIVER, None, 0)
    with pytest.raises(KohtaamoError):
        await service.set_caregiver(GUILD, MEMBER, False)
    await service.accept(GUILD, MEMBER + 1, "fi", Who.BOTH, AgeBand.MINOR, 0)
    assert (await service.set_caregiver(GUILD, MEMBER + 1, False)).roles == [BotRole.YOUTH_MINOR]


async def test_a_moderator_changes_the_band_with_a_sealed_case(service, db):
    await service.accept(GUILD, MEMBER, "fi", Who.YOUTH, AgeBand.MINOR, 0)
    change = await service.change_band(GUILD, MEMBER, AgeBand.ADULT, MODERATOR, "täytti 18")
    assert (change.before, change.after, change.case_number) == (AgeBand.MINOR, AgeBand.ADULT, 1)
    case = await db.fetchone("SELECT kind, target_user_id, moderator_id, reason_enc FROM cases")
    assert (case["kind"], case["target_user_id"], case["moderator_id"]) == ("ageband", MEMBER, MODERATOR)
    assert "täytti" not in str(case["reason_enc"])
    assert (await service.choices(GUILD, MEMBER)).age_band is AgeBand.ADULT
    with pytest.raises(KohtaamoError):
        await service.change_band(GUILD, MEMBER, AgeBand.ADULT, MODERATOR, "sama")
    with pytest.raises(KohtaamoError):
        await service.change_band(GUILD, MEMBER + 1, AgeBand.ADULT, MODERATOR, "ei esittelyä")


async def test_export_and_erase(service):
    await service.accept(GUILD, MEMBER, "fi", Who.CAREGIVER, None, 2)
    await service.accept(OTHER, MEMBER, "en", Who.YOUTH, AgeBand.MINOR, 0)
    exported = await service.export_member(MEMBER, GUILD)
    assert [(e["age_band"], e["rules_version"]) for e in exported] == [(None, 2)]
    assert await service.erase_member(MEMBER, GUILD) == 1
    assert await service.export_member(MEMBER, GUILD) == []
    assert [e["age_band"] for e in await service.export_member(MEMBER, OTHER)] == ["13-17"]  # another server's stays


def test_a_13_17_young_carer_holds_only_the_13_17_role():
    from bot.services.onboarding import AgeBand, roles_for
    from bot.services.setup import BotRole

    assert roles_for(True, AgeBand.MINOR) == [BotRole.YOUTH_MINOR]
    assert roles_for(True, AgeBand.ADULT) == [BotRole.CAREGIVER, BotRole.YOUTH_ADULT]
    assert roles_for(True, None) == [BotRole.CAREGIVER]
