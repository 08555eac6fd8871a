"""Crisis language in what members write: Finnish, Swedish and English phrases from data files
(``bot/data/safety/<locale>.txt``) plus a server's own terms, matched so that people are found
in the way they really write.

Text and phrases are folded alike: lower case, ``ä ö å`` as ``a o a`` (people often leave the
dots out), other accents dropped, runs of three or more of a letter as two (``haluuun``). A phrase
is a sequence of words; between two of its words up to ``GAP`` other words may stand
("en halua *enää* elää"). In a phrase:

- ``kuol*``   any ending (Finnish cases and verb forms: kuolla, kuolen, kuolisin)
- ``*murha*`` also inside a compound (itsemurha-ajatuksia, itsemurhaviesti)
- ``mä|mie|minä``  one of these words
- ``$``       the sentence ends here ("en jaksa enää." but not "en jaksa enää odottaa")

A line starting with ``!`` is a figurative use ("kuolen nauruun", "dying laughing"): a crisis
match that overlaps one does not count. A sentence never spans ``.``, ``!``, ``?`` or a line break.

An ordinary message costs one dictionary look-up per word (see ``Scanner``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.i18n import LOCALES

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "safety"
GAP = 2  # other words allowed between two words of a phrase
TERM_MAX = 100
_FOLD = str.maketrans({"ä": "a", "ö": "o", "å": "a", "æ": "a", "ø": "o", "ß": "ss"})
_SENTENCE_END = re.compile(r"[.!?\n]+")
_REPEATS = re.compile(r"(\w)\1{2,}")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_GAP = rf"(?: [^ |]+){{0,{GAP}}} "
_WORD_START = re.compile(r"(?<= )[^ |]")
_KEY = 2  # letters of a word that pick the phrases to try there
_PHRASE_WORD = re.compile(r"\*?[a-z0-9'’-]+\*?(?:\|\*?[a-z0-9'’-]+\*?)*|\$")


def fold(text: str) -> str:
    """Lower case, ``ä ö å`` as ``a o a``, other accents dropped, long letter runs shortened."""
    text = text.lower().translate(_FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _REPEATS.sub(r"\1\1", text)


def normalise(text: str) -> str:
    """The folded words, one space apart, sentences separated by ``" | "``, framed by spaces."""
    sentences = (" ".join(_WORD.findall(part)) for part in _SENTENCE_END.split(fold(text)))
    return " " + " | ".join(s for s in sentences if s) + " "


def _word(pattern: str) -> str:
    options = []
    for option in pattern.split("|"):
        head = r"[^ |]*" if option.startswith("*") else ""
        tail = r"[^ |]*" if option.endswith("*") else ""
        options.append(head + re.escape(option.strip("*")) + tail)
    return "(?:" + "|".join(options) + ")"


def compile_phrase(phrase: str) -> str:
    """A phrase (see the module text) as a regular expression over ``normalise``'s output."""
    words = fold(phrase).split()
    if not words or not all(_PHRASE_WORD.fullmatch(w) for w in words) or words[0] == "$":
        raise ValueError(f"not a phrase: {phrase!r}")
    parts, ends = [], False
    for word in words:
        if word == "$":
            ends = True
            continue
        parts.append(_word(word))
    return "(?<= )" + _GAP.join(parts) + (r"(?= \| | $)" if ends else "(?= )")


@dataclass(frozen=True)
class Phrases:
    crisis: tuple[str, ...]
    figurative: tuple[str, ...]


def parse_phrases(lines: Iterable[str]) -> Phrases:
    crisis: list[str] = []
    figurative: list[str] = []
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        (figurative if line.startswith("!") else crisis).append(line.lstrip("!").strip())
    return Phrases(tuple(crisis), tuple(figurative))


@cache
def shipped(locale: str) -> Phrases:
    return parse_phrases((DATA_DIR / f"{locale}.txt").read_text(encoding="utf-8").splitlines())


def check_term(term: str) -> str:
    """A moderator's own term, tidied; ``ValueError`` if it is not a phrase."""
    term = " ".join(term.split())
    if not term or len(term) > TERM_MAX:
        raise ValueError(term)
    compile_phrase(term.lstrip("!"))
    return term


@dataclass(frozen=True)
class Hit:
    phrase: str  # as written in the data file or by the moderators
    excerpt: str  # the matched words, folded


class Scanner:
    """Every shipped language at once (people mix them), plus a server's own ``extra`` terms.

    Phrases are indexed by how their first word begins, so a message costs one dictionary look-up
    per word; a phrase whose first word may sit inside a compound (``*murha*``) is tried only when
    its letters occur in the message at all."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        crisis: list[str] = []
        figurative: list[str] = []
        for locale in LOCALES:
            phrases = shipped(locale)
            crisis += phrases.crisis
            figurative += phrases.figurative
        own = parse_phrases(extra)
        self._starts: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        self._inside: list[tuple[str, str, re.Pattern[str]]] = []
        for phrase in (*crisis, *own.crisis):
            pattern = re.compile(compile_phrase(phrase))
            for option in fold(phrase).split()[0].split("|"):
                if option.startswith("*"):
                    self._inside.append((option.strip("*"), phrase, pattern))
                else:
                    self._starts.setdefault(option.strip("*")[:_KEY], []).append((phrase, pattern))
        self._figurative = [re.compile(compile_phrase(p)) for p in (*figurative, *own.figurative)]

    def scan(self, text: str) -> Hit | None:
        """The first crisis phrase in ``text`` that is not inside a figurative use, or None."""
        words = normalise(text)
        found: list[tuple[int, str, re.Match[str]]] = []
        for start in _WORD_START.finditer(words):
            at = start.start()
            for phrase, pattern in self._starts.get(words[at:at + _KEY].rstrip(" |"), ()):
                match = pattern.match(words, at)
                if match is not None:
                    found.append((at, phrase, match))
        for literal, phrase, pattern in self._inside:
            if literal in words:
                found += [(m.start(), phrase, m) for m in pattern.finditer(words)]
        if not found:
            return None
        figurative = [m.span() for p in self._figurative for m in p.finditer(words)]
        for _, phrase, match in sorted(found, key=lambda f: f[0]):
            begins, ends = match.span()
            if not any(b < ends and begins < e for b, e in figurative):
                return Hit(phrase, match.group(0))
        return None
