"""What happens when a message in a room reads like a crisis (the scan is ``bot.services.safety``):
the writer gets one gentle DM in a few hours, the moderators one alert that counts the messages,
claimable and resolvable. Each server's own terms extend the shipped phrases.

Privacy: an alert names the writer, the room and the latest message, never its text. Alerts are
in the writer's export and erased with them: they serve the moment, not a record."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db.safety import SafetyRepo, StoredAlert
from bot.errors import KohtaamoError
from bot.i18n import N_
from bot.services.safety import TERM_MAX, Hit, Scanner, check_term

Alert = StoredAlert
THROTTLE = timedelta(hours=3)  # a writer is DMed at most once in this time
TERMS_MAX = 200
NO_SUCH_ALERT = N_("This safety alert no longer exists.")


@dataclass(frozen=True)
class Match:
    alert_id: int
    alert: Alert | None  # a new alert (DM the writer, post the card); None: a recent one was counted up
    hit: Hit

    @property
    def fresh(self) -> bool:
        return self.alert is not None


class SafetyResponse:
    def __init__(self, repo: SafetyRepo, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock
        self._shipped = Scanner()
        self._scanners: dict[int, Scanner] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._recent: dict[tuple[int, int], tuple[int, datetime]] = {}  # (guild, writer) -> (alert id, opened)
        self._unsaved: dict[int, tuple[int, int, int, datetime]] = {}  # alert id -> (more, channel, message, when)

    async def scanner(self, guild_id: int) -> Scanner:
        """The guild's scanner, built once and again only when its terms change."""
        scanner = self._scanners.get(guild_id)
        if scanner is None:
            terms = await self.repo.terms(guild_id)
            scanner = Scanner(terms) if terms else self._shipped
            self._scanners[guild_id] = scanner
        return scanner

    async def read(self, guild_id: int, user_id: int, channel_id: int, message_id: int, text: str) -> Match | None:
        """Scan a room message; on a match, the writer's alert (new, or the recent one counted up)."""
        hit = (await self.scanner(guild_id)).scan(text)
        if hit is None:
            return None
        lock = self._locks.setdefault(guild_id, asyncio.Lock())
        async with lock:  # two quick messages of one writer make one alert
            now = self.clock.now()
            recent = self._recent.get((guild_id, user_id))
            if recent is None or recent[1] <= now - THROTTLE:  # not known here: ask the database (a restart)
                stored = await self.repo.recent(guild_id, user_id, now - THROTTLE)
                recent = None if stored is None else (stored.id, stored.created_at)
            if recent is not None:  # counted in memory, written by ``flush``: a writer in distress may write a lot
                self._recent[(guild_id, user_id)] = recent
                more = self._unsaved.get(recent[0], (0, 0, 0, now))[0] + 1
                self._unsaved[recent[0]] = (more, channel_id, message_id, now)
                return Match(recent[0], None, hit)
            alert_id = await self.repo.add(guild_id, user_id, channel_id, message_id, now)
            self._recent[(guild_id, user_id)] = (alert_id, now)
            return Match(alert_id, await self.alert(alert_id), hit)

    async def flush(self, alert_id: int) -> Alert:
        """The alert with the matches counted since the last flush written (and it is open again if
        it was resolved)."""
        unsaved = self._unsaved.pop(alert_id, None)
        if unsaved is not None:
            await self.repo.again(alert_id, *unsaved)
        return await self.alert(alert_id)

    async def alert(self, alert_id: int) -> Alert:
        alert = await self.repo.get(alert_id)
        if alert is None:
            raise KohtaamoError(NO_SUCH_ALERT)
        return alert

    async def minor(self, alert: Alert) -> Alert:
        """The writer is 13–17 (the alert says so)."""
        await self.repo.set_minor(alert.id)
        return await self.alert(alert.id)

    async def reached(self, alert: Alert, reached: bool) -> Alert:
        await self.repo.set_reached(alert.id, reached)
        return await self.alert(alert.id)

    async def card_posted(self, alert: Alert, channel_id: int, message_id: int) -> None:
        await self.repo.set_card(alert.id, channel_id, message_id)

    async def claim(self, alert_id: int, moderator_id: int) -> Alert:
        await self.alert(alert_id)
        if not await self.repo.claim(alert_id, moderator_id):
            raise KohtaamoError("Someone is already checking on them, or the alert is resolved.")
        return await self.alert(alert_id)

    async def resolve(self, alert_id: int, moderator_id: int) -> Alert:
        await self.alert(alert_id)
        if not await self.repo.resolve(alert_id, moderator_id):
            raise KohtaamoError("This safety alert is resolved already.")
        return await self.alert(alert_id)

    async def writer_ok(self, alert_id: int, user_id: int) -> Alert:
        alert = await self.alert(alert_id)
        if alert.user_id != user_id:
            raise KohtaamoError(NO_SUCH_ALERT)
        await self.repo.writer_ok(alert_id, self.clock.now())
        return await self.alert(alert_id)

    async def terms(self, guild_id: int) -> list[str]:
        return await self.repo.terms(guild_id)

    async def add_term(self, guild_id: int, term: str, moderator_id: int) -> str:
        try:
            term = check_term(term)
        except ValueError:
            raise KohtaamoError(
                "“{term}” is not a phrase the scan can use: write words (letters or digits), at most {max} "
                "characters; * for any ending, ! first for a figurative use.", term=term[:TERM_MAX], max=TERM_MAX,
            ) from None
        if len(await self.repo.terms(guild_id)) >= TERMS_MAX:
            raise KohtaamoError("This server has {max} own terms already: remove one first.", max=TERMS_MAX)
        if not await self.repo.add_term(guild_id, term, moderator_id, self.clock.now()):
            raise KohtaamoError("“{term}” is on the list already.", term=term)
        self._scanners.pop(guild_id, None)
        return term

    async def remove_term(self, guild_id: int, term: str) -> str:
        term = " ".join(term.split())
        if not await self.repo.remove_term(guild_id, term):
            raise KohtaamoError("“{term}” is not one of this server's own terms.", term=term[:TERM_MAX])
        self._scanners.pop(guild_id, None)
        return term

    async def export_member(self, user_id: int, guild_id: int) -> list[dict[str, object]]:
        return [{"channel_id": a.channel_id, "messages": a.messages, "status": a.status,
                 "created_at": a.created_at.isoformat(), "reached": a.reached}
                for a in await self.repo.about(user_id, guild_id)]

    async def erase_member(self, user_id: int, guild_id: int) -> int:
        self._recent.pop((guild_id, user_id), None)
        return await self.repo.erase_member(user_id, guild_id)
