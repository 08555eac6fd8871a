"""The AutoMod patterns for the 13–17 rooms: what they block, what ordinary talk keeps, Discord's limits.

Every example runs through Python's ``re`` and through Rust's ``regex`` crate (the dialect Discord
runs, via the ``flpc`` bindings), and an allow-list entry is honoured the way Discord does: a match
that an entry covers does not count."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot.i18n import LOCALES, I18n
from bot.services.automod import (
    CONTACT_PATTERNS,
    INVITATION_PATTERNS,
    MAX_ALLOW_LENGTH,
    MAX_ALLOW_LIST,
    MAX_CUSTOM_MESSAGE,
    MAX_EXEMPT_CHANNELS,
    MAX_KEYWORD_RULES,
    MAX_PATTERN_LENGTH,
    MAX_PATTERNS,
    ExistingRule,
    Rule,
    channel_scope,
    desired_rules,
    is_own_rule_name,
    minor_room_rules,
    plan_sync,
)
from bot.services.crisis import crisis_contacts

flpc = pytest.importorskip("flpc")

HELPLINES = [c.detail for loc in LOCALES for c in crisis_contacts(loc).contacts] + ["116 111"]
RULES = minor_room_rules(HELPLINES)
ALLOW = RULES[0].allow_list

Finder = Callable[[str, str], list[str]]


def python_matches(pattern: str, text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(pattern, text)]


def rust_matches(pattern: str, text: str) -> list[str]:
    return [m.group(0) for m in flpc.finditer(flpc.compile(pattern), text)]


ENGINES = pytest.mark.parametrize("find", [python_matches, rust_matches], ids=["python-re", "rust-regex"])


def blocked(find: Finder, text: str) -> list[str]:
    """The matches no allow-list entry covers (the allow list here holds whole entries only)."""
    allow = {a.lower() for a in ALLOW}
    hits = [m for rule in RULES for p in rule.regex_patterns for m in find(p, text)]
    return [m for m in hits if m and m.lower() not in allow]


PHONES = [
    "soita 040 123 4567", "0401234567", "040-123 4567", "040-1234567", "040 1234 567", "050 123 45 67",
    "+358 40 123 4567", "+358401234567", "+358 (0)40 123 4567", "00358401234567", "00358 40 123 4567",
    "09 123 4567", "(09) 123 4567", "014 123 4567", "numero 0 4 0 1 2 3 4 5 6 7", "358401234567",
    "+46 70 123 45 67", "+44 20 7946 0958", "+1 555 123 4567", "+49 151 23456789", "040–123 4567",
    "nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän", "nolla neljä nolla, yks kaks kolme, neljä viis",
    "noll sju noll ett två tre fyra fem", "zero four zero one two three four five six",
]
EMAILS = [
    "eetu@gmail.com", "laita mailia: Eetu.Virtanen+koulu@edu.hel.fi", "nimi at gmail dot com",
    "nimi(at)gmail.com", "nimi [at] gmail [dot] com", "nimi ät gmail piste fi", "eetu miukumauku hotmail piste com",
    "eetu snabel-a gmail punkt se",
]
HANDLES = [
    "@eetu_2010", "seuraa @eetu.virtanen", "instagram.com/eetu", "snapchat.com/add/eetu", "t.me/eetu",
    "https://discord.gg/abcd", "wa.me/358401234567", "tiktok.com/@eetu",
]
INVITATIONS = [
    "add me on snap", "Add me on snapchat!", "dm me on insta", "follow me on tiktok", "hmu on discord",
    "hit me up on whatsapp", "message me on telegram", "text me on wa pls", "find me on ig",
    "lisää mut snäpissä", "lisää mut snapissa", "lisää mua instassa", "lisäätkö mut snäppiin", "addaa mut instaan",
    "seuraa mua tiktokissa", "laita viestiä instaan", "laita mulle viestiä snäpissä", "pistä viestiä whatsappiin",
    "jutellaan discordissa", "soita whatsappilla", "pistä snäppiä", "adda mig på snap", "lägg till mig på insta",
    "följ mig på tiktok", "skriv till mig på whatsapp", "hör av dig på snap", "mun snap on eetu2010",
    "mun snäppi on eetu", "mun insta: eetu", "my insta is eetu", "my snap: eetu", "min snap är eetu",
    "mitt insta är eetu", "snap: eetu2010", "ig - eetu", "dc = eetu#1234", "insta: @eetu", "add my snap",
    "add us on insta", "jutellaan snäpissä", "jatketaan vaikka instassa", "viestitellään whatsappissa",
]
HARMLESS = [
    "klo 16.30-21", "ma–pe 16–21", "ma-to 16.30-21, la 12-16", "mån–fre 16–21", "Mon-Fri 4pm-9pm",
    "daily 18:00-22:00", "12.12.2026", "12.12.2026 klo 18.00", "01.12.2026 18.00", "2026-12-12 18:00",
    "01-12-2026", "vuonna 2019 ja 2020", "3 lasta, 2 koiraa", "maksoi 1 250 €", "0,50 €", "100 000 euroa",
    "soita 112", "kriisipuhelin 09 2525 0111", "Kriisipuhelin: 0925250111", "ruotsiksi 09 2525 0112",
    "Lasten ja nuorten puhelin 116 111", "116111", "+358 9 2525 0111", "sekasin.fi", "mieli.fi",
    "luin sen instasta", "mä käytän snäppiä liikaa", "tiktok ahdistaa", "en tykkää instagramista",
    "mun insta-feedi on ahdistava", "mun instassa on pelkkiä kissoja", "discordissa on kivaa",
    "haluan lisää kavereita", "lisää tietoa löytyy netistä", "laita vaikka kuva", "add more salt",
    "follow the rules", "at home dot", "I'm at school", "koulu alkaa 8.15", "sain 9/10 kokeesta",
    "<@123456789012345678> moi", "<@!123456789012345678> hei", "<@&123456789012345678> apua",
    "sähköposti on ihan ok tapa", "pisteet 7,5 ja 8", "huone 204, kerros 3", "@everyone", "@here",
    "viikolla 48 tai 49", "kello 09-17", "09.00–17.00", "0-3 vuotta", "1.-3.12.2026",
    "puhutaan discordin säännöistä", "viestit discordissa on hitaita", "heitä ahdistaa tiktok",
    "I got a message in discord", "soitin discordissa kaverille", "olin eilen instassa", "whatsapp-ryhmä on ärsyttävä",
    "luin snäpistä", "Tiktok-video oli hauska", "mun äiti soitti", "lisää mut ryhmään",
    "wa-ryhmä", "kiitos @ kaikille", "email me later", "se on mun snäpissä tallessa", "I'm at work. Me too",
    "olin at-kurssilla", "nähdään at the mall. Se oli kiva", "yksi kaksi kolme, nyt mennään",
    "one two three four five", "mä oon kuusi vuotta ollu omaishoitaja ja kaksi lasta",
]


@ENGINES
@pytest.mark.parametrize("text", PHONES + EMAILS + HANDLES + INVITATIONS)
def test_contact_details_and_invitations_are_blocked(find: Finder, text: str) -> None:
    assert blocked(find, text), text


@ENGINES
@pytest.mark.parametrize("text", HARMLESS)
def test_ordinary_peer_support_talk_goes_through(find: Finder, text: str) -> None:
    assert blocked(find, text) == [], text


@ENGINES
def test_a_helpline_number_does_not_shelter_a_private_one(find: Finder) -> None:
    assert blocked(find, "soita 09 2525 0111 tai mulle 040 123 4567") == ["040 123 4567"]


def test_the_rules_fit_discords_limits() -> None:
    assert len(RULES) <= 2 < MAX_KEYWORD_RULES  # the server keeps room for its own rules
    for rule in RULES:
        assert len(rule.regex_patterns) <= MAX_PATTERNS
        assert all(len(p) <= MAX_PATTERN_LENGTH for p in rule.regex_patterns)
        assert len(rule.allow_list) <= MAX_ALLOW_LIST
        assert all(len(a) <= MAX_ALLOW_LENGTH for a in rule.allow_list)
        assert is_own_rule_name(rule.name)
    assert not is_own_rule_name("Block links")


@pytest.mark.parametrize("pattern", CONTACT_PATTERNS + INVITATION_PATTERNS)
def test_patterns_use_only_what_rust_regex_supports(pattern: str) -> None:
    assert not re.search(r"\(\?<?[=!]|\(\?>|\\[1-9]|\(\?P=", pattern), "look-around or back-reference"
    flpc.compile(pattern)  # raises on anything Rust's regex crate rejects


def test_rust_regex_really_rejects_what_python_allows() -> None:
    for unsupported in (r"\d+(?=kg)", r"(?<!@)\w+", r"(a)\1"):
        re.compile(unsupported)
        with pytest.raises(ValueError):
            flpc.compile(unsupported)


def test_the_helplines_are_allowed_in_every_written_form() -> None:
    for form in ("09 2525 0111", "0925250111", "09-2525-0111", "+358925250111", "+358 9 2525 0111", "116 111"):
        assert form in ALLOW
    assert "112" not in ALLOW and "mieli.fi" not in ALLOW  # nothing matches those anyway


@pytest.mark.parametrize("locale", LOCALES)
def test_the_blocking_message_fits_discords_150_characters(locale: str) -> None:
    rules = desired_rules(RULES, scope=channel_scope([1, 2], {1}), exempt_role_ids=[9],
                          custom_message=I18n().t(locale, "Phone numbers, e-mail addresses and accounts on other "
                                                          "apps can't be shared in this room. This keeps the room safe."),
                          alert_channel_id=5)
    assert all(len(r.custom_message) <= MAX_CUSTOM_MESSAGE for r in rules)


def test_channel_scope_exempts_every_other_channel_up_to_fifty() -> None:
    scope = channel_scope([5, 1, 2, 3], {2})
    assert scope.exempt == (1, 3, 5) and scope.over_limit == 0
    many = channel_scope(range(1, 60), {1})
    assert len(many.exempt) == MAX_EXEMPT_CHANNELS and many.over_limit == 8 and 1 not in many.exempt


def rule(which: str, **changes: object) -> Rule:
    base = desired_rules(RULES, scope=channel_scope([1, 2], {1}), exempt_role_ids=[7], custom_message="Ei.",
                         alert_channel_id=3)
    chosen = next(r for r in base if r.name == which)
    return Rule(**{**chosen.__dict__, **changes})  # type: ignore[arg-type]


def test_plan_creates_updates_and_deletes_only_what_differs() -> None:
    first, second = RULES[0].name, RULES[1].name
    desired = [rule(first), rule(second)]
    assert plan_sync([], desired).create == tuple(desired)
    in_step = [ExistingRule(10, rule(first)), ExistingRule(11, rule(second))]
    assert plan_sync(in_step, desired).in_step
    drifted = [ExistingRule(10, rule(first, exempt_channels=frozenset())), ExistingRule(11, rule(second)),
               ExistingRule(12, rule(second)), ExistingRule(13, rule(first, name="Kohtaamo: minors' rooms (3/3)"))]
    plan = plan_sync(drifted, desired)
    assert plan.update == ((10, rule(first)),) and plan.delete == (12, 13) and plan.create == ()
    assert plan_sync(in_step, []).delete == (10, 11)
