"""Password hashing: argon2id through argon2-cffi. Plain passwords are never stored or logged.

The hash string carries its own parameters and salt, so a later change of parameters only
means :func:`needs_rehash` turns true and the next successful sign-in stores a new hash.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4); argon2id.
_HASHER = PasswordHasher(type=Type.ID)


def hash_password(password: str) -> str:
    """A new argon2id hash (random salt) of ``password``."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for no hash or a broken one."""
    if not stored_hash:
        spend_verify_time(password)
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (rehash on sign-in)."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def spend_verify_time(password: str) -> None:
    """Do the work of one verification for nothing (an unknown user name, no hash set), so
    that a failed sign-in takes as long whether or not the name is known.

    Hashing with today's parameters costs what verifying such a hash costs, and needs no
    decoy hash made at import (every command-line start would pay for one)."""
    _HASHER.hash(password)
