"""A local Discord double for end-to-end tests: REST v10 + gateway on 127.0.0.1.

    from tests.double import DiscordDouble
    from tests.double.harness import pointed_at, running

    d = DiscordDouble(); await d.start()
    with pointed_at(d):                      # Route.BASE and DEFAULT_GATEWAY -> the double
        g = d.add_guild("Jyväskylä"); u = d.add_member(g, username="aino")
        async with running(bot, d):          # bot built with guild_ready_timeout=0.05
            h = await d.slash(g, u, "setup", sub="show")
            assert (await h.response())["type"] == 4
    await d.stop()

Modules: ``double`` (the facade), ``world`` (state), ``messages`` (message objects and validation),
``gateway``, ``server`` + ``routes_*`` (REST), ``interactions`` + ``builders`` + ``driving``
(interactions as Discord sends them), ``commands``, ``faults``, ``recording``, ``harness``.
"""

from . import permissions
from .double import DiscordDouble
from .interactions import InteractionHandle
from .recording import Recorded

__all__ = ["DiscordDouble", "InteractionHandle", "Recorded", "permissions"]
