"""Password hashing: argon2id through argon2-cffi. Plain passwords are never stored or logged.

The hash string carries its own parameters and salt, so a later change of parameters only
means :func:`needs_rehash` turns true and the next successful sign-in stores a new hash.

Every function takes an optional ``hasher`` (an argon2 ``PasswordHasher``); the default is
the module's argon2id one. Sign-in passes one through so a test can count the verifications.
"""

from __future__ import annotations

import contextlib
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4); argon2id.
_HASHER = PasswordHasher(type=Type.ID)

# A decoy hash per set of parameters, made on the first failed sign-in that needs one (not at
# import: every command-line start would pay for it). Its password is random and never kept.
_DECOYS: dict[tuple[object, ...], str] = {}


def default_hasher() -> PasswordHasher:
    """The hasher every hash is made with unless a caller passes another."""
    return _HASHER


def hash_password(password: str, hasher: PasswordHasher | None = None) -> str:
    """A new argon2id hash (random salt) of ``password``."""
    return (hasher or _HASHER).hash(password)


def verify_password(
    stored_hash: str | None, password: str, hasher: PasswordHasher | None = None
) -> bool:
    """True when ``password`` matches ``stored_hash``; False for no hash or a broken one
    (which cost one verification all the same)."""
    h = hasher or _HASHER
    if not stored_hash:
        spend_verify_time(password, h)
        return False
    try:
        return h.verify(stored_hash, password)
    except InvalidHashError:
        spend_verify_time(password, h)
        return False
    except (VerifyMismatchError, VerificationError):
        return False


def needs_rehash(stored_hash: str, hasher: PasswordHasher | None = None) -> bool:
    """True when the hash was made with other parameters than today's (rehash on sign-in)."""
    try:
        return (hasher or _HASHER).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def _decoy(h: PasswordHasher) -> str:
    key = (h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len, h.type)
    found = _DECOYS.get(key)
    if found is None:
        found = _DECOYS[key] = h.hash(secrets.token_urlsafe(24))
    return found


def spend_verify_time(password: str, hasher: PasswordHasher | None = None) -> None:
    """Do one real verification for nothing (an unknown user name, a locked account, no hash
    set): ``password`` is verified against a decoy hash with today's parameters, so a refused
    sign-in does the same argon2 work, and takes as long, whatever the reason."""
    h = hasher or _HASHER
    with contextlib.suppress(VerifyMismatchError, VerificationError, InvalidHashError):
        h.verify(_decoy(h), password)
