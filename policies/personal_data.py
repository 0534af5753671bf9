"""Citizen ID numbers (GB 11643-1999) and phone numbers: validation and masking."""

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_SHAPE = re.compile(r"^1[3-9]\d{9}$")


def citizen_id_problem(value: str) -> str | None:
    """Why `value` is not a valid 18-digit citizen ID number, or None when it is."""
    if not _ID_SHAPE.match(value):
        return "must be 17 digits followed by a digit or X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "contains an impossible date of birth"
    if value[17] != id_check_char(value[:17]):
        return "fails the GB 11643 check digit"
    return None


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def mobile_problem(value: str) -> str | None:
    return None if _MOBILE_SHAPE.match(value) else "must be an 11-digit mainland mobile number"


def mask_citizen_id(value: str) -> str:
    """Keep the region prefix and the last four, as printed on public notices."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)


# Free text (log lines, error messages) may carry an ID or phone number anywhere.
_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{10}(\d{3}[\dXx])(?!\d)")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_in_text(text: str) -> str:
    text = _ID_IN_TEXT.sub(lambda m: m[1] + "*" * 10 + m[2], text)
    return _MOBILE_IN_TEXT.sub(lambda m: m[1] + "****" + m[2], text)


# Unified social credit code of an enterprise (GB 32100-2015): 18 characters from a
# 31-character alphabet, the last a check character.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why `value` is not a valid unified social credit code, or None when it is."""
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return "must be 18 characters of digits and capital letters (no I, O, S, V, Z)"
    if value[17] != uscc_check_char(value[:17]):
        return "fails the GB 32100 check character"
    return None
