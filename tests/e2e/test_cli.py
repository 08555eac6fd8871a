"""The `kohtaamo` program as a newcomer runs it: a real subprocess against the double."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys

import pytest

from bot.db.migrate import available
from tests.e2e.conftest import DATA_KEY


async def kohtaamo(*args: str, env: dict[str, str], cwd) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env={**clean, "DATA_KEY": DATA_KEY, **env}, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_one_error_line(stderr: str, message: str) -> None:
    """Log lines may come first; the failure itself is one line, and there is no traceback."""
    errors = [line for line in stderr.splitlines() if line.startswith("kohtaamo: error: ")]
    assert len(errors) == 1 and message in errors[0], stderr
    assert "Traceback" not in stderr


def double_env(double, tmp_path, **extra: str) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": double.token, "DISCORD_API_BASE": double.api_base, "DISCORD_GATEWAY_URL": double.gateway_url,
        "DATABASE_PATH": str(tmp_path / "k.db"), **extra,
    }


async def test_sync_registers_localized_commands_then_exits(double, world, tmp_path):
    code, out, err = await kohtaamo("sync", env=double_env(double, tmp_path), cwd=tmp_path)
    assert code == 0, err
    assert "registered" in out and "global" in out
    body = double.calls_to("PUT", r"/applications/\d+/commands$")[-1].json
    assert {c["name"] for c in body} >= {"setup", "company", "volunteer"}
    assert all(c["name_localizations"].keys() >= {"fi", "sv-SE"} for c in body)


async def test_sync_to_the_dev_guild(double, world, tmp_path):
    env = double_env(double, tmp_path, DEV_GUILD_ID=str(world.guild))
    code, out, err = await kohtaamo("sync", env=env, cwd=tmp_path)
    assert code == 0, err
    assert double.calls_to("PUT", rf"/applications/\d+/guilds/{world.guild}/commands$")


async def test_rejected_token_is_one_clear_line(double, world, tmp_path):
    code, out, err = await kohtaamo("run", env=double_env(double, tmp_path, DISCORD_TOKEN="wrong"), cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "Discord rejected DISCORD_TOKEN")


async def test_missing_privileged_intents_say_which_to_switch_on(double, world, tmp_path):
    double.require_intents = True
    code, out, err = await kohtaamo("run", env=double_env(double, tmp_path), cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, "SERVER MEMBERS INTENT and MESSAGE CONTENT INTENT")


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DISCORD_TOKEN", "", "DISCORD_TOKEN is not set"),
        ("TIMEZONE", "Helsinki", "TIMEZONE='Helsinki' is not a known IANA time zone"),
        ("DEFAULT_LOCALE", "de", "DEFAULT_LOCALE='de' is not supported"),
        ("DATABASE_PATH", "/proc/kohtaamo/k.db", "DATABASE_PATH=/proc/kohtaamo/k.db"),
    ],
)
async def test_bad_settings_give_one_line_and_a_non_zero_exit(tmp_path, setting, value, message):
    env = {"DISCORD_TOKEN": "x", "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10", "DATABASE_PATH": str(tmp_path / "k.db"),
           setting: value}
    code, out, err = await kohtaamo("run", env=env, cwd=tmp_path)
    assert code == 2
    assert_one_error_line(err, message)


async def test_migrate_check_and_backup(tmp_path):
    env = {"DATABASE_PATH": str(tmp_path / "k.db")}
    code, out, _ = await kohtaamo("check", env={**env, "DATA_KEY": "not-a-key"}, cwd=tmp_path)
    assert code == 1 and "DISCORD_TOKEN is not set" in out and "run `kohtaamo migrate`" in out
    assert "DATA_KEY is not a valid key" in out
    code, out, _ = await kohtaamo("migrate", env=env, cwd=tmp_path)
    latest = len(available())
    assert code == 0 and "applied " + ", ".join(str(n) for n in range(1, latest + 1)) in out
    code, out, _ = await kohtaamo("check", env={**env, "DISCORD_TOKEN": "x"}, cwd=tmp_path)
    assert code == 0 and "everything looks right" in out
    code, out, err = await kohtaamo("backup", str(tmp_path / "copy.db"), env=env, cwd=tmp_path)
    assert code == 0, err
    code, out, err = await kohtaamo("backup", str(tmp_path / "copy2.db"), env={**env, "DATA_KEY": ""}, cwd=tmp_path)
    assert code == 0 and "k.key" in out, err
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA user_version").fetchone()[0] == latest
    copy.close()
    code, _, err = await kohtaamo("backup", str(tmp_path / "copy.db"), env=env, cwd=tmp_path)
    assert code == 2 and "already exists" in err


async def test_run_serves_commands_and_stops_cleanly_on_sigterm(double, world, tmp_path):
    import signal

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "DEV_GUILD"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env={**clean, "DATA_KEY": DATA_KEY, **double_env(double, tmp_path)},
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        await double.wait_ready(timeout=30)
        double.register_commands([{"name": "setup", "type": 1, "description": "x", "options": [
            {"name": "show", "type": 1, "description": "x"}]}])
        h = await double.slash(world.guild, world.people["admin"], "setup", sub="show")
        assert (await h.response(timeout=10))["data"]["embeds"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
