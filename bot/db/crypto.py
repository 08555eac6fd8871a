"""Encryption at rest for sensitive values (topics, feedback, who asked, reasons).

Repositories seal values on the way in and open them on the way out, so nothing above
``bot/db`` ever sees ciphertext. ``tag`` gives a keyed, deterministic fingerprint for
looking a member up (one open request per member) without storing the id in the clear."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.errors import ConfigError

log = logging.getLogger(__name__)


def key_file(database_path: Path) -> Path:
    """Where the key is kept when ``DATA_KEY`` is not set: beside the database."""
    return database_path.with_suffix(".key")


class Sealer:
    def __init__(self, key: str | bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError("DATA_KEY is not a valid key (44 characters of url-safe base64; see .env.example)") from None
        raw = key.encode() if isinstance(key, str) else key
        self._mac_key = hashlib.sha256(b"kohtaamo-tag:" + raw).digest()

    @classmethod
    def for_database(cls, key: str | None, database_path: Path) -> Sealer:
        """Use ``DATA_KEY``; without one, a key file beside the database (made on first start)."""
        if key:
            return cls(key)
        path = key_file(database_path)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fp:
                fp.write(Fernet.generate_key())
            log.warning("DATA_KEY not set: created %s; back it up together with the database", path)
        return cls(path.read_bytes().strip())

    def seal(self, value: str | None) -> bytes | None:
        return None if value is None else self._fernet.encrypt(value.encode("utf-8"))

    def open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken:
            raise ConfigError("stored data cannot be decrypted: DATA_KEY differs from the one it was written with") from None

    def tag(self, *parts: int | str) -> str:
        message = ":".join(str(p) for p in parts).encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()
