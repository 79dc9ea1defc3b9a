"""Masking of personal and vehicle identifiers before anything reaches a log line or an audit record."""

from __future__ import annotations


def _mask(text: str, keep_head: int, keep_tail: int) -> str:
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + (text[-keep_tail:] if keep_tail else "")


def mask_plate(text: str) -> str:
    """京A12345 -> 京A***45: province and authority stay readable for triage, the serial does not."""
    return _mask(text, 2, 2)


def mask_vin(text: str) -> str:
    """Keep the WMI (manufacturer) and the last two characters."""
    return _mask(text, 3, 2)


def mask_id_number(text: str) -> str:
    return _mask(text, 2, 1)


def mask_name(text: str) -> str:
    return _mask(text, 1, 0)
