from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.db.crypto import Sealer
from bot.errors import ConfigError


def test_seal_round_trip_and_ciphertext_hides_the_text():
    sealer = Sealer(Fernet.generate_key())
    token = sealer.seal("yksinäinen ilta")
    assert b"yksin" not in token
    assert sealer.open(token) == "yksinäinen ilta"
    assert sealer.seal(None) is None and sealer.open(None) is None


def test_tag_is_stable_per_key_and_differs_between_keys():
    a, b = Sealer(Fernet.generate_key()), Sealer(Fernet.generate_key())
    assert a.tag(1, 2) == a.tag(1, 2) != a.tag(1, 3)
    assert a.tag(1, 2) != b.tag(1, 2)


def test_key_file_is_made_once_beside_the_database(tmp_path):
    first = Sealer.for_database(None, tmp_path / "k.db")
    second = Sealer.for_database(None, tmp_path / "k.db")
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
    assert second.open(first.seal("x")) == "x"


def test_bad_or_wrong_key_is_a_clear_error():
    with pytest.raises(ConfigError, match="DATA_KEY"):
        Sealer("short")
    token = Sealer(Fernet.generate_key()).seal("x")
    with pytest.raises(ConfigError, match="DATA_KEY differs"):
        Sealer(Fernet.generate_key()).open(token)
