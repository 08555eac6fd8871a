"""Discord AutoMod rules that keep off-platform contact out of the 13–17 rooms.

Two KEYWORD rules (Discord allows six per server; the rest stay the server's own), each with
at most 10 regex patterns of at most 260 characters, in the regex dialect Discord runs (Rust's
``regex`` crate: no look-around, no back-references). Rule 1 catches contact details as they
are written: phone numbers, e-mail addresses, profile links and @handles. Rule 2 catches the
invitations around them in Finnish, Swedish and English ("lisää mut snäpissä", "adda mig på
snap", "add me on insta", "mun snap on …").

Discord has no list of channels a rule applies to: a rule covers the whole server except its
``exempt_channels`` (at most 50). So the rules are scoped to the minors' rooms by exempting every
other channel that takes messages; a server with more than 50 of them keeps the rest covered
(safe for minors, a nuisance for adults), and the caller is told how many.

``allow_list`` (at most 100 entries of 60 characters) works for regex matches too: a match that
an allow-list entry covers does not count. It carries the crisis numbers the bot itself shows,
so a young person passing on a helpline number is not blocked.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

MAX_KEYWORD_RULES = 6
MAX_PATTERNS = 10
MAX_PATTERN_LENGTH = 260
MAX_ALLOW_LIST = 100
MAX_ALLOW_LENGTH = 60
MAX_EXEMPT_ROLES = 20
MAX_EXEMPT_CHANNELS = 50
MAX_CUSTOM_MESSAGE = 150

RULE_NAME = "Kohtaamo: minors' rooms ({n}/{total})"  # stable in every language: the bot finds its rules by it

# Digits are [0-9], not \d: Rust's \d is every Unicode digit, a far larger program for the same job.
# Apps and networks people move a conversation to; a Finnish or Swedish ending may follow.
_APPS = r"(?:sn[aä]p|insta|(?:wh?|v)ats?app?|telegram|tik ?tok|discord|kik|signal|facebook|messenger|skype)\w*"
_SHORT_APPS = r"(?:ig|wa|tg|dc|fb)(?:\b|:)"
APPS = f"(?:{_APPS}|{_SHORT_APPS})"
# The same apps by name only, not inflected ("mun snap on …", but not "mun instassa on …").
NAMES = r"(?:sn[aä]pp?(?:i|chat)?|insta(?:gram)?|(?:wh?|v)ats?app?|telegram|tik ?tok|discord|kik|signal|facebook|messenger|skype|ig|wa|tg|dc|fb)\b"

CONTACT_PATTERNS = (
    # Finnish numbers: 040 123 4567, 0401234567, 040-123 4567, (09) 123 4567 (nine digits or more,
    # so dates such as 01-12-2026 stay out; dots are never separators, so 12.12.2026 klo 18.00 too).
    r"\b0(?:(?:[\s–-]|\)\s?)?[0-9]){8,11}",
    # International: +358 40 123 4567, +358 (0)40 123 4567, +46 70 123 45 67, 00358401234567.
    r"(?:\+|\b00)\s?[1-9](?:[\s()–-]{0,2}[0-9]){6,13}",
    # A long run of digits with no separators at all: 358401234567, 401234567.
    r"\b[0-9]{9,15}\b",
    # A number spelled out, seven digits or more: nolla neljä nolla yks kaks kolme …, noll fyra noll …
    r"(?i)\b(?:(?:nolla|yks|yksi|kaks|kaksi|kolme|neljä|viis|viisi|kuus|kuusi|seitsemän|seiska|kahdeksan|kasi|yhdeksän|ysi|zero|one|two|three|four|five|six|seven|eight|nine|noll|ett|två|tre|fyra|fem|sex|sju|åtta|nio)\b[\s,-]*){7,}",
    # E-mail addresses.
    r"(?i)[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}",
    # E-mail written around the filter: nimi at gmail dot com, nimi(at)gmail.com, nimi ät gmail piste fi.
    r"(?i)[\w.+-]+\s*(?:\(at\)|\[at\]|\{at\}|\sat\s|\sät\s|\smiukumauku\s|\ssnabel-?a\s)\s*[\w-]+(?:\.|\s*(?:\(dot\)|\[dot\])\s*|\s(?:dot|piste|punkt)\s)(?:com|fi|net|org|se|eu|io|me|nu)\b",
    # Profile and invite links.
    r"(?i)\b(?:instagram\.com|snapchat\.com|tiktok\.com|t\.me|wa\.me|m\.me|discord\.gg|discord(?:app)?\.com/invite|facebook\.com|kik\.me|signal\.me)/\S+",
    # @handles, but not Discord mentions such as <@123> or <@&123> (a handle starts with a letter).
    r"\B@[A-Za-z_][A-Za-z0-9_.]{2,29}",
)

INVITATION_PATTERNS = (
    # English: add me on snap, dm me on insta, follow us on tiktok, hmu on discord, add my snap.
    rf"(?i)\b(?:(?:add|follow|dm|pm|message|msg|text|call|find|contact|reach|hit)\s+(?:me|us)(?:\s+up)?|hmu)\s+(?:on|in|at|via)\s+{APPS}",
    rf"(?i)\b(?:add|follow)\s+my\s+{NAMES}",
    # Finnish: lisää mut snäpissä, addaa mut instaan, seuraa mua tiktokissa.
    rf"(?i)\b(?:lisää|lisäätkö|lisäisitkö|adda\w*|seuraa|seuratkaa|seuraatko)\s+(?:mut|mua|minut|minua)\s+(?:\w+\s+)?{APPS}",
    # Finnish: laita viestiä instaan, pistä mulle snäppiä, soita whatsappilla.
    rf"(?i)\b(?:laita\w*|pistä\w*|tekstaa\w*|kirjo[it]ta\w*|viestitellään|viestittele|soita|soitellaan)\s+(?:\w+\s+){{0,2}}{APPS}",
    # Finnish: jutellaan snäpissä, jatketaan instassa (not "puhutaan discordin säännöistä").
    rf"(?i)\b(?:jutellaan|juttele|puhutaan|jatketaan|nähdään)\s+(?:\w+\s+)?{_APPS}(?:ss[aä]|ll[aä])\b",
    # Swedish: adda mig på snap, lägg till mig på insta, följ mig på tiktok, skriv till mig på whatsapp.
    rf"(?i)\b(?:adda|lägg\s+till|följ|skriv(?:\s+till)?|messa|sms:?a|ring|hör\s+av\s+dig)(?:\s+mig)?\s+(?:på|i|via)\s+{APPS}",
    # Someone's own account: mun snap on …, my insta is …, min snap är …, mitt insta: …
    rf"(?i)\b(?:mun|minun|my|min|mitt)\s+{NAMES}\s*(?:[:=]|\s(?:on|is|är)\s+\S)",
    # A label and a handle: snap: eetu123, ig - @eetu, dc = eetu#1234.
    rf"(?i)\b{NAMES}\s*(?:[:=]|\s[–-]\s)\s*@?[\w.#]{{2,}}",
)

# Texts that would look like a handle or a number but are not a way to contact someone.
_ALWAYS_ALLOWED = ("@everyone", "@here")


@dataclass(frozen=True)
class RuleSpec:
    """What one of the bot's AutoMod rules should match (its trigger metadata)."""

    name: str
    regex_patterns: tuple[str, ...]
    allow_list: tuple[str, ...]


def rule_names() -> tuple[str, str]:
    return RULE_NAME.format(n=1, total=2), RULE_NAME.format(n=2, total=2)


def is_own_rule_name(name: str) -> bool:
    """A name this bot gives (also of an older layout with more or fewer rules)."""
    return re.fullmatch(re.escape(RULE_NAME).replace(r"\{n\}", r"\d+").replace(r"\{total\}", r"\d+"), name) is not None


def minor_room_rules(helpline_details: Iterable[str]) -> tuple[RuleSpec, RuleSpec]:
    """The two rules. ``helpline_details`` are the crisis contacts' details the bot shows (a number
    or a web address); the numbers among them go to both allow lists."""
    allow = allow_list(helpline_details)
    first, second = rule_names()
    return RuleSpec(first, CONTACT_PATTERNS, allow), RuleSpec(second, INVITATION_PATTERNS, allow)


def allow_list(helpline_details: Iterable[str]) -> tuple[str, ...]:
    """Every way the contact patterns may match a helpline number: as written, without spaces,
    with hyphens, and in the +358 form; plus the mention texts. At most 100 entries."""
    out: dict[str, None] = dict.fromkeys(_ALWAYS_ALLOWED)
    for detail in helpline_details:
        digits = re.sub(r"\D", "", detail)
        if len(digits) < 6 or not re.fullmatch(r"[\d\s()+–-]+", detail.strip()):
            continue  # a web address, or a short number (112) that no pattern matches
        written = " ".join(detail.split())
        groups = written.split(" ")
        forms = [written, digits, "-".join(groups), f"{groups[0]}-{''.join(groups[1:])}" if len(groups) > 1 else digits]
        if digits.startswith("0") and not digits.startswith("00"):
            forms += [f"+358{digits[1:]}", f"+358 {written[1:]}", f"358{digits[1:]}"]
        out.update(dict.fromkeys(f for f in forms if len(f) <= MAX_ALLOW_LENGTH))
    return tuple(out)[:MAX_ALLOW_LIST]


@dataclass(frozen=True)
class ChannelScope:
    """The channels a rule leaves out, and how many other channels stay covered over Discord's limit."""

    exempt: tuple[int, ...]
    over_limit: int


def channel_scope(channel_ids: Iterable[int], minor_channel_ids: Collection[int]) -> ChannelScope:
    """Exempt every channel but the minors' rooms, oldest first, up to Discord's 50."""
    others = sorted({c for c in channel_ids if c not in minor_channel_ids})
    return ChannelScope(tuple(others[:MAX_EXEMPT_CHANNELS]), max(0, len(others) - MAX_EXEMPT_CHANNELS))


@dataclass(frozen=True)
class Rule:
    """One of the bot's rules as Discord has it, or as it should be."""

    name: str
    regex_patterns: tuple[str, ...]
    allow_list: tuple[str, ...]
    exempt_roles: frozenset[int]
    exempt_channels: frozenset[int]
    custom_message: str
    alert_channel_id: int | None
    enabled: bool = True


@dataclass(frozen=True)
class ExistingRule:
    id: int
    rule: Rule


@dataclass(frozen=True)
class SyncPlan:
    create: tuple[Rule, ...]
    update: tuple[tuple[int, Rule], ...]
    delete: tuple[int, ...]

    @property
    def in_step(self) -> bool:
        return not (self.create or self.update or self.delete)


def desired_rules(
    specs: Sequence[RuleSpec],
    *,
    scope: ChannelScope,
    exempt_role_ids: Collection[int],
    custom_message: str,
    alert_channel_id: int | None,
) -> tuple[Rule, ...]:
    if len(custom_message) > MAX_CUSTOM_MESSAGE:
        raise ValueError(f"custom message over {MAX_CUSTOM_MESSAGE} characters: {custom_message!r}")
    roles = frozenset(sorted(set(exempt_role_ids))[:MAX_EXEMPT_ROLES])
    return tuple(
        Rule(s.name, s.regex_patterns, s.allow_list, roles, frozenset(scope.exempt), custom_message, alert_channel_id)
        for s in specs
    )


def plan_sync(existing: Sequence[ExistingRule], desired: Sequence[Rule]) -> SyncPlan:
    """What to change so the bot's rules are exactly ``desired``: rules are matched by name; a
    duplicate or a name no longer used is deleted."""
    by_name: dict[str, ExistingRule] = {}
    delete: list[int] = []
    wanted = {rule.name for rule in desired}
    for found in sorted(existing, key=lambda e: e.id):
        if found.rule.name in wanted and found.rule.name not in by_name:
            by_name[found.rule.name] = found
        else:
            delete.append(found.id)
    create: list[Rule] = []
    update: list[tuple[int, Rule]] = []
    for rule in desired:
        current = by_name.get(rule.name)
        if current is None:
            create.append(rule)
        elif current.rule != rule:
            update.append((current.id, rule))
    return SyncPlan(tuple(create), tuple(update), tuple(delete))
