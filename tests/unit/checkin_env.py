"""What check-in tests share: job handlers that record the personal check-ins sent and mark the
room prompts posted, as the cog would (tests/unit/test_checkin.py, sealed_env.py)."""

from __future__ import annotations

from bot.scheduling import Scheduler
from bot.services.checkin_personal import KIND_ME, PersonalCheckins
from bot.services.checkin_room import KIND_ROOM, RoomCheckins


def register_checkin_jobs(scheduler: Scheduler, personal: PersonalCheckins, rooms: RoomCheckins) -> list[int]:
    """Register both kinds; returns the list the sent personal check-ins' occurrence ids go to."""
    sent: list[int] = []

    async def send(job):
        due = await personal.due(job)
        if due is not None:
            sent.append(due.occurrence_id)

    async def post(job):
        prompt = await rooms.due(job)
        if prompt is not None:
            await rooms.posted(prompt.occurrence_id, 1, 1000 + prompt.occurrence_id)

    scheduler.register(KIND_ME, send)
    scheduler.register(KIND_ROOM, post)
    return sent
