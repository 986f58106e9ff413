"""Join codes people type on a phone, and participant tokens nobody can guess."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L: nothing that reads two ways on a small screen or a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
#: 24 random bytes = 192 bits, written in 32 URL-safe characters.
TOKEN_BYTES = 24


def new_join_code() -> str:
    """A fresh 6-character join code (31**6, about 887 million possibilities)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: object) -> str:
    """Upper-case, without spaces or dashes: ``" abc-def "`` -> ``"ABCDEF"``."""
    if not isinstance(raw, str):
        return ""
    return "".join(ch for ch in raw.upper() if ch not in " -_.\t\u00a0")


def looks_like_code(code: str) -> bool:
    """Whether a normalised code could have been issued by :func:`new_join_code`."""
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


#: A resume code: 10 characters of the same alphabet, about 50 bits (31**10).
RESUME_CODE_LENGTH = 10


def new_resume_code() -> str:
    """A short code a participant can copy on paper to come back from another device."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(RESUME_CODE_LENGTH))


def looks_like_resume_code(code: str) -> bool:
    """Whether a normalised code could have been issued by :func:`new_resume_code`."""
    return len(code) == RESUME_CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def format_resume_code(code: str) -> str:
    """``ABCDEFGHJK`` -> ``ABCDE-FGHJK``, easier to copy and read out."""
    return f"{code[:5]}-{code[5:]}" if len(code) == RESUME_CODE_LENGTH else code


def new_token() -> str:
    """A participant token: 192 bits of randomness (at least 128 are required)."""
    return secrets.token_urlsafe(TOKEN_BYTES)
