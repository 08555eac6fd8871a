"""A local Discord double for end-to-end tests: REST v10 + gateway on 127.0.0.1.

See ``double.py`` for the entry point and ``/work/shared/ARCHITECTURE.md`` ("Tests") for why.
"""

from . import permissions
from .double import DiscordDouble
from .interactions import InteractionHandle
from .recording import Recorded

__all__ = ["DiscordDouble", "InteractionHandle", "Recorded", "permissions"]
