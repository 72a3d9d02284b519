"""argon2id hashing: salted, verifiable, never the plain text."""

from __future__ import annotations

from argon2 import PasswordHasher, Type

from console.services.passwords import hash_password, needs_rehash, verify_password


def test_hash_is_argon2id_salted_and_not_the_password() -> None:
    first, second = hash_password("paiqian-2026"), hash_password("paiqian-2026")
    assert first.startswith("$argon2id$")
    assert "paiqian-2026" not in first
    assert first != second  # a fresh salt each time
    assert verify_password(first, "paiqian-2026") and verify_password(second, "paiqian-2026")


def test_wrong_missing_or_broken_hash_does_not_verify() -> None:
    stored = hash_password("paiqian-2026")
    assert not verify_password(stored, "paiqian-2027")
    assert not verify_password(stored, "")
    assert not verify_password(None, "paiqian-2026")
    assert not verify_password("not a hash", "paiqian-2026")


def test_weaker_parameters_need_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID).hash("x1")
    assert verify_password(weak, "x1")
    assert needs_rehash(weak)
    assert not needs_rehash(hash_password("x1"))
    assert needs_rehash("garbage")
