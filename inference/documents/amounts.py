"""Money amounts as the forms print them: in figures (cents), in words (大写), and an amount printed both ways
found from one when the other's label was misread. Shared by the invoice and the insurance policy."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .fields import WORD_CHARS, FieldRule, clean_value
from .types import FieldValue

PRINTED_AMOUNT = re.compile(r"¥?\d+\.\d{2}")  # an amount as a form prints it, on a line of its own


def cents(text: str) -> int | None:
    """An amount in figures ('¥8306.19', '96460', '1,200.5') in cents, or None when it is not one."""
    digits = text.lstrip("¥").replace(",", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", digits):
        return None
    whole, _, frac = digits.partition(".")
    return int(whole) * 100 + int(frac.ljust(2, "0"))


_DIGITS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def words_cents(text: str) -> int | None:
    """An amount in words ('壹拾陆万贰仟贰佰元整', '叁佰元零伍角陆分') in cents, or None when the words are not a
    complete amount (cut off before 元, an unknown character, a digit without its unit). Written here, in a few
    lines: what matters is refusing a read that is not a whole amount, which a lenient number parser would
    turn into some number."""
    if not text or text[-1] not in "整分角":
        return None
    total = section = digit = 0  # total: the part before the last 万/亿; section: the part since
    pending = False  # a digit waiting for its unit
    yuan: int | None = None
    for ch in text.rstrip("整"):
        if ch in _DIGITS:
            if pending:
                return None
            digit, pending = _DIGITS[ch], _DIGITS[ch] != 0
            continue
        if ch in _UNITS:
            if not pending and not (ch == "拾" and not section):  # only a leading 拾 stands without its digit
                return None
            section += (digit or 1) * _UNITS[ch]
        elif ch == "万" and yuan is None:
            total += (section + digit) * 10_000
            section = 0
        elif ch == "亿" and yuan is None:
            total = (total + section + digit) * 100_000_000
            section = 0
        elif ch == "元" and yuan is None:
            yuan, total, section = total + section + digit, 0, 0
        elif ch in "角分" and yuan is not None and pending:
            total += digit * (10 if ch == "角" else 1)
        else:
            return None
        digit, pending = 0, False
    return None if yuan is None or pending else yuan * 100 + total


def words_completed(read: FieldValue, want: int) -> FieldValue:
    """An amount in words read with one character that is none of the words' numerals and units, inside them
    ('⊗玖万陆仟乘佰元整', the reader giving no such character among its alternatives either), completed by the
    one numeral or unit that makes the words say ``want`` cents: an amount the form confirms another way (the
    caller's business). Completed only when exactly one character does; otherwise, and for words that are
    whole (right or wrong: a disagreement is for the cross-checks), ``read`` unchanged."""
    if words_cents(read.text) is not None:
        return read
    inside = [k for k, ch in enumerate(read.raw) if ch in WORD_CHARS]
    if not inside:
        return read
    span = read.raw[inside[0] : inside[-1] + 1]
    gaps = [k for k, ch in enumerate(span) if ch not in WORD_CHARS]
    if len(gaps) != 1:
        return read
    k = gaps[0]
    found = [filled for ch in WORD_CHARS if words_cents(filled := span[:k] + ch + span[k + 1 :]) == want]
    return replace(read, text=found[0], alternatives=()) if len(found) == 1 else read


def figures_and_words(
    fields: dict[str, FieldValue], free: Sequence[Any], rules: Sequence[FieldRule], figures: str, words: str
) -> dict[str, FieldValue]:
    """An amount printed twice, in figures (``figures``) and in words (``words``), one of them missing (its label
    misread) and the other read: the free line that says the same amount in the other form, to the cent, is the
    missing one. Without such a line it stays missing."""
    if (figures in fields) == (words in fields):
        return fields
    if figures in fields:
        key, want = words, cents(fields[figures].text)
    else:
        key, want = figures, words_cents(clean_value("words", fields[words].text) or "")
    if want is None or want <= 0:
        return fields
    return take_free_line(fields, free, rules, key, "words" if key == words else "amount", want)


def take_free_line(
    fields: dict[str, FieldValue], free: Sequence[Any], rules: Sequence[FieldRule], key: str, kind: str, want: int
) -> dict[str, FieldValue]:
    """``fields`` with ``key`` (a rule of ``rules``) taken from the first free line (no label or field took it) that
    prints ``want`` cents: in figures on a line of its own (``kind`` "amount", '¥8306.19') or in words ("words");
    unchanged without such a line."""
    rule = next(r for r in rules if r.key == key)
    for ln in free:
        if kind == "words":
            text = clean_value("words", ln.text)
            found = text is not None and words_cents(text) == want
        else:
            text = clean_value("amount", ln.text) or ln.text
            found = bool(PRINTED_AMOUNT.fullmatch(ln.text)) and cents(ln.text) == want
        if found:
            fields[key] = FieldValue(rule.canonical or key, "", text, ln.conf, True, (), ln.box, ln.text)
            break
    return fields
