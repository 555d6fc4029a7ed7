"""Masking of personal identifiers for lists, search results and exports.

Full values are shown only on a person's own page, to roles that need them, and every
such view is audited (see ``weiji.core.audit``).
"""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """Keep the first 6 and last 4 characters of an ID number, mask the middle.

    ``mask_id_number('37030319900101123X') == '370303********123X'``.
    Short or empty values are masked whole so nothing identifying leaks.
    """
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a phone number: ``'138****5678'``."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]
