"""Common words of the language, for a value written in words: an address, the name of an organisation, a model's
brand.

A character the recogniser is unsure of is put right when one of its alternatives makes a common word with the
characters next to it and the character read makes none, or one far rarer: '汽车轿售服务' -> '汽车销售服务',
'公安交通管建局' -> '公安交通管理局', '彭华街' -> '新华街', '完驰牌' -> '奔驰牌'.

The words are jieba's dictionary (its ``dict.txt``: about 349,000 words of modern Chinese, each with its count in a
general corpus), read as data: nothing is segmented. A general word list is used, never a list of the names, places
or makers documents print (see ``vocabulary.py``). Names of people are not words and are not corrected by it.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Mapping, Sequence

from .types import PLAUSIBLE, Alternatives

# the words looked up round a character: two to four characters long (a single character is always some word)
MIN_WORD, MAX_WORD = 2, 4
# A character read this sure is kept. On the 2,175 fields of 240 dev documents (seed 5410) read with their
# alternatives, at 0.99 two right addresses were changed ('幸福里' -> '幸福星': 福星 is a word) and at 0.95 none.
SURE = 0.95
# an alternative is taken when its best word is this many times as common as the best word of the character read
# (one when it makes none): 3 and 30 changed what 10 changes on the dev fields above
RATIO = 10.0
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENTRY = re.compile(rf"^(\S{{{MIN_WORD},{MAX_WORD}}}) (\d+)", re.MULTILINE)


@functools.cache
def words() -> Mapping[str, int]:
    """Every word of ``MIN_WORD`` to ``MAX_WORD`` characters in jieba's dictionary, with its count (read once a
    process: about 0.5 s and 40 MB)."""
    text = importlib.resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    return {word: int(count) for word, count in _ENTRY.findall(text)}


def best_word(chars: Sequence[str], i: int, lexicon: Mapping[str, int]) -> int:
    """The count of the most common word among the windows of ``chars`` that hold position ``i`` (0: none)."""
    best = 0
    for n in range(MIN_WORD, MAX_WORD + 1):
        for start in range(max(0, i - n + 1), min(i, len(chars) - n) + 1):
            best = max(best, lexicon.get("".join(chars[start : start + n]), 0))
    return best


def corrected(text: str, alts: Sequence[Alternatives] | None, lexicon: Mapping[str, int] | None = None) -> str:
    """``text`` with each Chinese character read less than ``SURE`` replaced by the alternative (``alts``: per
    character, (character, probability) best first) whose best word is ``RATIO`` times as common as the best word of
    the character read, the most common such; left to right, each change seen by the next. ``text`` unchanged when
    the alternatives do not line up with it."""
    if not alts or len(alts) != len(text):
        return text
    lexicon = words() if lexicon is None else lexicon
    chars = list(text)
    for i, options in enumerate(alts):
        p = options[0][1]
        if p >= SURE or not _CJK.fullmatch(chars[i]):
            continue
        floor = RATIO * max(best_word(chars, i, lexicon), 1)
        found = []
        for ch, q in options[1:]:
            if q < PLAUSIBLE * p or not _CJK.fullmatch(ch):
                continue
            count = best_word([*chars[:i], ch, *chars[i + 1 :]], i, lexicon)
            if count >= floor:
                found.append((count, ch))
        if found:
            chars[i] = max(found)[1]
    return "".join(chars)
