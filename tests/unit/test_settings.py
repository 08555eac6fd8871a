from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import Settings


def test_defaults():
    s = Settings.from_mapping({"DISCORD_TOKEN": "abc"})
    assert s.database_path == Path("data/kohtaamo.db")
    assert (s.default_locale, s.timezone, s.log_level) == ("fi", "Europe/Helsinki", "INFO")
    assert s.dev_guild_id is None and s.discord_api_base is None


def test_env_file_is_read_and_environment_wins(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=from-file\nDEFAULT_LOCALE=sv\nDEV_GUILD_ID=123\n")
    monkeypatch.setenv("DEFAULT_LOCALE", "en")
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    s = Settings.load(env_file=env)
    assert (s.discord_token, s.default_locale, s.dev_guild_id) == ("from-file", "en", 123)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("TIMEZONE", "Europe/Hel", "not a known IANA time zone"),
        ("DEFAULT_LOCALE", "de", "not supported"),
        ("LOG_LEVEL", "LOUD", "not valid"),
        ("DEV_GUILD_ID", "my-server", "not a server id"),
        ("DISCORD_API_BASE", "localhost", "not a URL"),
    ],
)
def test_bad_settings_say_what_is_wrong(key, value, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_mapping({"DISCORD_TOKEN": "abc", key: value})


def test_missing_token_is_reported_when_needed():
    with pytest.raises(ConfigError, match="DISCORD_TOKEN is not set"):
        Settings.from_mapping({}).require_token()


def test_env_example_lists_every_setting():
    text = (Path(__file__).parents[2] / ".env.example").read_text()
    for key in ("DISCORD_TOKEN", "DATABASE_PATH", "DEFAULT_LOCALE", "TIMEZONE", "LOG_LEVEL", "DEV_GUILD_ID",
                "DISCORD_API_BASE", "DISCORD_GATEWAY_URL", "DATA_KEY"):
        assert f"{key}=" in text, key
