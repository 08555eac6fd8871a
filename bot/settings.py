"""Settings from the environment and ``.env``: one frozen object, validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

from bot.clock import known_timezone
from bot.errors import ConfigError
from bot.i18n import LOCALES

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Settings:
    discord_token: str
    database_path: Path
    default_locale: str = "fi"
    timezone: str = "Europe/Helsinki"
    log_level: str = "INFO"
    dev_guild_id: int | None = None
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    data_key: str | None = None

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, env_file: str | Path = ".env") -> Settings:
        """Read ``env`` (default: the process environment over ``.env``) and validate it."""
        if env is None:
            values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
            values.update(os.environ)
            env = values
        return cls.from_mapping(env)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str]) -> Settings:
        def get(key: str, default: str = "") -> str:
            return env.get(key, default).strip()

        locale = get("DEFAULT_LOCALE", "fi").lower()
        if locale not in LOCALES:
            raise ConfigError(f"DEFAULT_LOCALE={locale!r} is not supported; use one of {', '.join(LOCALES)}")
        tz = get("TIMEZONE", "Europe/Helsinki")
        if not known_timezone(tz):
            raise ConfigError(f"TIMEZONE={tz!r} is not a known IANA time zone (e.g. Europe/Helsinki)")
        level = get("LOG_LEVEL", "INFO").upper()
        if level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL={level!r} is not valid; use one of {', '.join(LOG_LEVELS)}")
        dev_guild = get("DEV_GUILD_ID")
        if dev_guild and not dev_guild.isdigit():
            raise ConfigError(f"DEV_GUILD_ID={dev_guild!r} is not a server id (digits only)")
        for key in ("DISCORD_API_BASE", "DISCORD_GATEWAY_URL"):
            url = get(key)
            if url and "://" not in url:
                raise ConfigError(f"{key}={url!r} is not a URL")
        return cls(
            discord_token=get("DISCORD_TOKEN"),
            database_path=Path(get("DATABASE_PATH", "data/kohtaamo.db")),
            default_locale=locale,
            timezone=tz,
            log_level=level,
            dev_guild_id=int(dev_guild) if dev_guild else None,
            discord_api_base=get("DISCORD_API_BASE").rstrip("/") or None,
            discord_gateway_url=get("DISCORD_GATEWAY_URL") or None,
            data_key=get("DATA_KEY") or None,
        )

    def require_token(self) -> str:
        if not self.discord_token:
            raise ConfigError("DISCORD_TOKEN is not set: put the bot token in .env (see .env.example)")
        return self.discord_token

