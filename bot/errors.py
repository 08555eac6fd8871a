"""Domain errors: a message id plus parameters, translated only at the edge (cogs)."""

from __future__ import annotations

from typing import Any


class KohtaamoError(Exception):
    """A rule of the product was broken; ``msgid`` is an English gettext message id."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


class ConfigError(Exception):
    """A setting or the environment is wrong; the message is one line for stderr."""
