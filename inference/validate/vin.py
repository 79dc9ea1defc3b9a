"""Vehicle identification number (VIN) rules: ISO 3779 / ISO 3780 and GB 16735.

A VIN is 17 characters drawn from 0-9 and A-Z without I, O and Q:

* positions 1-3: world manufacturer identifier (WMI, ISO 3780);
* positions 4-8: vehicle descriptor section;
* position 9: check digit (mandatory in China under GB 16735, optional in ISO 3779);
* position 10: model-year code (GB 16735 makes it mandatory);
* positions 11-17: plant code and serial number, the last four always numeric (ISO 3779).

Readings that break a rule are reported in the result, never raised: only misuse of the API raises.
The correction search at the bottom of this module is shared with the plate validator.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "VIN_CHARSET",
    "VIN_LENGTH",
    "VIN_TRANSLITERATION",
    "VIN_WEIGHTS",
    "WMI",
    "YEAR_CODES",
    "CorrectedChar",
    "VinCheck",
    "VinCorrection",
    "WmiInfo",
    "check_digit",
    "correct_vin",
    "model_years",
    "normalise_vin",
    "validate_vin",
    "wmi_info",
]

VIN_LENGTH = 17
VIN_CHARSET = frozenset("0123456789ABCDEFGHJKLMNPRSTUVWXYZ")
# I, O and Q are excluded because they read too easily as 1 and 0.
_FORBIDDEN_LOOKALIKES = {"I": "1", "O": "0", "Q": "0"}

VIN_TRANSLITERATION: dict[str, int] = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip
VIN_WEIGHTS: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_CHECK_INDEX = 8
_YEAR_INDEX = 9
# ISO 3779: the last four characters of the VIS are always numeric.
_NUMERIC_TAIL = 4

# Thirty codes, so a code repeats every 30 years; U, Z and 0 are left out on top of I, O, Q.
YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789"
_YEAR_CYCLE_START = 1980
_YEAR_CYCLE = len(YEAR_CODES)


def normalise_vin(text: str) -> str:
    """Upper-case, fold full-width forms and drop all whitespace."""
    if not isinstance(text, str):
        raise TypeError(f"VIN text must be str, got {type(text).__name__}")
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


def check_digit(vin: str) -> str:
    """Check digit ('0'-'9' or 'X') of a VIN.

    Takes either the full 17 characters (whatever is at position 9 is ignored) or the 16 characters
    without the check digit (positions 1-8 followed by 10-17).
    """
    text = normalise_vin(vin)
    if len(text) == VIN_LENGTH - 1:
        text = text[:_CHECK_INDEX] + "0" + text[_CHECK_INDEX:]
    if len(text) != VIN_LENGTH:
        raise ValueError(f"check_digit needs 17 characters (or 16 without the check digit), got {len(text)}")
    bad = [f"{i + 1}:{c!r}" for i, c in enumerate(text) if i != _CHECK_INDEX and c not in VIN_CHARSET]
    if bad:
        raise ValueError(f"check_digit got characters outside the VIN charset at {', '.join(bad)}")
    return _check_digit_unchecked(text)


def _check_digit_unchecked(text: str) -> str:
    total = sum(
        VIN_TRANSLITERATION[c] * w
        for i, (c, w) in enumerate(zip(text, VIN_WEIGHTS, strict=True))
        if i != _CHECK_INDEX
    )
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def model_years(code: str) -> tuple[int, ...]:
    """Candidate model years for a position-10 code, oldest first; () if it is not a year code.

    The code alone cannot tell 1990 from 2020: both cycle members are returned.
    """
    if not isinstance(code, str) or len(code) != 1:
        raise ValueError(f"model_years takes a single character, got {code!r}")
    index = YEAR_CODES.find(code.upper())
    if index < 0:
        return ()
    first = _YEAR_CYCLE_START + index
    return (first, first + _YEAR_CYCLE)


# --------------------------------------------------------------------------------------------- WMI


@dataclass(frozen=True, slots=True)
class WmiInfo:
    """What the first three characters say about the maker.

    `known` is False when only the country could be derived from the ISO 3780 region ranges; then the
    manufacturer names are None.
    """

    wmi: str
    manufacturer: str | None
    manufacturer_zh: str | None
    country: str | None  # ISO 3166-1 alpha-2
    known: bool


# (English name, Chinese name, ISO 3166-1 alpha-2 country). Only identifiers we are sure of; an unknown
# WMI still gets a country from the ranges below.
WMI: dict[str, tuple[str, str, str]] = {
    # Built in China.
    "LSV": ("SAIC Volkswagen", "上汽大众", "CN"),
    "LFV": ("FAW-Volkswagen", "一汽-大众", "CN"),
    "LSG": ("SAIC-GM", "上汽通用", "CN"),
    "LSJ": ("SAIC Motor (MG / Roewe)", "上汽乘用车(名爵/荣威)", "CN"),
    "LZW": ("SAIC-GM-Wuling", "上汽通用五菱", "CN"),
    "LGB": ("Dongfeng Nissan", "东风日产", "CN"),
    "LVH": ("Dongfeng Honda", "东风本田", "CN"),
    "LDC": ("Dongfeng Peugeot-Citroen", "神龙汽车(东风标致/雪铁龙)", "CN"),
    "LJD": ("Dongfeng Yueda Kia", "东风悦达起亚", "CN"),
    "LHG": ("GAC Honda", "广汽本田", "CN"),
    "LVG": ("GAC Toyota", "广汽丰田", "CN"),
    "LMG": ("GAC Motor", "广汽乘用车", "CN"),
    "LFM": ("FAW Toyota", "一汽丰田", "CN"),
    "LFP": ("FAW Car", "一汽轿车", "CN"),
    "LVS": ("Changan Ford", "长安福特", "CN"),
    "LVR": ("Changan Mazda", "长安马自达", "CN"),
    "LS5": ("Changan Automobile", "长安汽车", "CN"),
    "LBV": ("BMW Brilliance", "华晨宝马", "CN"),
    "LE4": ("Beijing Benz", "北京奔驰", "CN"),
    "LBE": ("Beijing Hyundai", "北京现代", "CN"),
    "LNB": ("BAIC Motor", "北京汽车", "CN"),
    "LGX": ("BYD", "比亚迪", "CN"),
    "LC0": ("BYD", "比亚迪", "CN"),
    "LRW": ("Tesla (Shanghai)", "特斯拉(上海)", "CN"),
    "LGW": ("Great Wall Motor", "长城汽车", "CN"),
    "LVV": ("Chery", "奇瑞汽车", "CN"),
    "LB3": ("Geely", "吉利汽车", "CN"),
    "L6T": ("Geely", "吉利汽车", "CN"),
    "LYV": ("Volvo Cars (China)", "沃尔沃汽车(中国)", "CN"),
    "LJ1": ("JAC Motors", "江淮汽车", "CN"),
    # Imports commonly registered in China.
    "WBA": ("BMW", "宝马", "DE"),
    "WBS": ("BMW M", "宝马M", "DE"),
    "WDD": ("Mercedes-Benz", "梅赛德斯-奔驰", "DE"),
    "WDB": ("Mercedes-Benz", "梅赛德斯-奔驰", "DE"),
    "WVW": ("Volkswagen", "大众", "DE"),
    "WAU": ("Audi", "奥迪", "DE"),
    "WP0": ("Porsche", "保时捷", "DE"),
    "WP1": ("Porsche (SUV)", "保时捷", "DE"),
    "JTD": ("Toyota", "丰田", "JP"),
    "JTH": ("Lexus", "雷克萨斯", "JP"),
    "JHM": ("Honda", "本田", "JP"),
    "JN1": ("Nissan", "日产", "JP"),
    "JM1": ("Mazda", "马自达", "JP"),
    "JF1": ("Subaru", "斯巴鲁", "JP"),
    "KMH": ("Hyundai", "现代", "KR"),
    "KNA": ("Kia", "起亚", "KR"),
    "5YJ": ("Tesla", "特斯拉", "US"),
    "5UX": ("BMW (USA, SUV)", "宝马", "US"),
    "4JG": ("Mercedes-Benz (USA, SUV)", "梅赛德斯-奔驰", "US"),
    "VF1": ("Renault", "雷诺", "FR"),
    "VF3": ("Peugeot", "标致", "FR"),
    "VF7": ("Citroen", "雪铁龙", "FR"),
    "ZFA": ("Fiat", "菲亚特", "IT"),
    "ZFF": ("Ferrari", "法拉利", "IT"),
    "ZHW": ("Lamborghini", "兰博基尼", "IT"),
    "SAL": ("Land Rover", "路虎", "GB"),
    "SAJ": ("Jaguar", "捷豹", "GB"),
    "SCA": ("Rolls-Royce", "劳斯莱斯", "GB"),
    "SCB": ("Bentley", "宾利", "GB"),
    "YV1": ("Volvo Cars", "沃尔沃", "SE"),
    "TMB": ("Skoda", "斯柯达", "CZ"),
}

# Second characters of a WMI in allocation order; ISO 3780 ranges such as "VF-VR" run over this order.
_WMI_ORDER = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"

# first char -> ((first second-char, last second-char, country), ...); one-range entries cover the whole
# first character. Only allocations we are sure of; anything else yields no country.
_COUNTRY_RANGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "A": (("A", "H", "ZA"),),
    # H was Africa in ISO 3780; it has since been reallocated to China once L ran out.
    "H": (("A", "0", "CN"),),
    "J": (("A", "0", "JP"),),
    "K": (("L", "R", "KR"),),
    "L": (("A", "0", "CN"),),
    "M": (("A", "E", "IN"), ("F", "K", "ID"), ("L", "R", "TH")),
    "S": (("A", "M", "GB"), ("N", "T", "DE"), ("U", "Z", "PL")),
    "T": (("A", "H", "CH"), ("J", "P", "CZ"), ("R", "V", "HU")),
    "V": (("A", "E", "AT"), ("F", "R", "FR"), ("S", "W", "ES")),
    "W": (("A", "0", "DE"),),
    "X": (("3", "0", "RU"),),
    "Y": (("A", "E", "BE"), ("F", "K", "FI"), ("S", "W", "SE")),
    "Z": (("A", "R", "IT"),),
    "1": (("A", "0", "US"),),
    "2": (("A", "W", "CA"),),
    "3": (("A", "W", "MX"),),
    "4": (("A", "0", "US"),),
    "5": (("A", "0", "US"),),
    "6": (("A", "W", "AU"),),
    "7": (("A", "E", "NZ"),),
    "8": (("A", "E", "AR"),),
    "9": (("A", "E", "BR"),),
}


def _country_of(wmi: str) -> str | None:
    ranges = _COUNTRY_RANGES.get(wmi[0])
    if not ranges:
        return None
    index = _WMI_ORDER.find(wmi[1])
    if index < 0:
        return None
    for first, last, country in ranges:
        if _WMI_ORDER.index(first) <= index <= _WMI_ORDER.index(last):
            return country
    return None


def wmi_info(vin: str) -> WmiInfo | None:
    """Manufacturer and country from the first three characters; None if nothing can be said."""
    text = normalise_vin(vin)
    if len(text) < 3:
        return None
    wmi = text[:3]
    entry = WMI.get(wmi)
    if entry is not None:
        name, name_zh, country = entry
        return WmiInfo(wmi=wmi, manufacturer=name, manufacturer_zh=name_zh, country=country, known=True)
    country = _country_of(wmi)
    if country is None:
        return None
    return WmiInfo(wmi=wmi, manufacturer=None, manufacturer_zh=None, country=country, known=False)


# ---------------------------------------------------------------------------------------- validation


@dataclass(frozen=True, slots=True)
class VinCheck:
    """Outcome of `validate_vin`. Positions are 1-based, as VIN documents count them."""

    text: str
    valid: bool
    length_ok: bool
    charset_ok: bool
    illegal_positions: tuple[int, ...]
    check_digit_expected: str | None
    check_digit_ok: bool
    year_code_ok: bool
    serial_ok: bool
    wmi: WmiInfo | None
    model_years: tuple[int, ...]
    problems: tuple[str, ...]


def validate_vin(text: str) -> VinCheck:
    """Check a VIN reading against every ISO 3779 / GB 16735 rule and say what is wrong."""
    vin = normalise_vin(text)
    problems: list[str] = []

    length_ok = len(vin) == VIN_LENGTH
    if not length_ok:
        problems.append(f"a VIN has {VIN_LENGTH} characters, got {len(vin)}")

    illegal = tuple(i + 1 for i, c in enumerate(vin) if c not in VIN_CHARSET)
    for pos in illegal:
        c = vin[pos - 1]
        if c in _FORBIDDEN_LOOKALIKES:
            problems.append(f"position {pos}: {c!r} never occurs in a VIN (I, O and Q are excluded)")
        else:
            problems.append(f"position {pos}: {c!r} is not a VIN character")
    charset_ok = not illegal

    expected: str | None = None
    check_ok = False
    year_ok = False
    serial_ok = False
    years: tuple[int, ...] = ()
    if length_ok:
        # The check digit can still be computed when only position 9 itself is illegible.
        if all(pos == _CHECK_INDEX + 1 for pos in illegal):
            expected = _check_digit_unchecked(vin)
            check_ok = vin[_CHECK_INDEX] == expected
            if not check_ok and charset_ok:
                read = vin[_CHECK_INDEX]
                problems.append(
                    f"check digit at position 9 is {read!r}, the other characters give {expected!r}"
                )
            elif not check_ok:
                problems.append(f"position 9 should hold the check digit {expected!r}")
        year_char = vin[_YEAR_INDEX]
        years = model_years(year_char)
        year_ok = bool(years)
        if not year_ok and year_char in VIN_CHARSET:
            problems.append(f"position 10: {year_char!r} is not a model-year code")
        tail = vin[-_NUMERIC_TAIL:]
        serial_ok = tail.isascii() and tail.isdigit()
        if not serial_ok:
            problems.append(f"positions 14-17 must be digits, got {tail!r}")

    valid = length_ok and charset_ok and check_ok and year_ok and serial_ok
    return VinCheck(
        text=vin,
        valid=valid,
        length_ok=length_ok,
        charset_ok=charset_ok,
        illegal_positions=illegal,
        check_digit_expected=expected,
        check_digit_ok=check_ok,
        year_code_ok=year_ok,
        serial_ok=serial_ok,
        wmi=wmi_info(vin),
        model_years=years,
        problems=tuple(problems),
    )


def _vin_ok(vin: str) -> bool:
    """`validate_vin(vin).valid` without building messages: the correction search calls it a lot."""
    return (
        len(vin) == VIN_LENGTH
        and all(c in VIN_CHARSET for c in vin)
        and vin[_YEAR_INDEX] in YEAR_CODES
        and vin[-_NUMERIC_TAIL:].isdigit()
        and vin[_CHECK_INDEX] == _check_digit_unchecked(vin)
    )


# ---------------------------------------------------------------------------------------- correction


@dataclass(frozen=True, slots=True)
class CorrectedChar:
    """One substituted character. `position` is 1-based; `confidence` is the recogniser's probability
    for the substitute (scaled down when it came from folding I/O/Q, which the recogniser never saw)."""

    position: int
    read: str
    corrected_to: str
    confidence: float


@dataclass(frozen=True, slots=True)
class VinCorrection:
    """Outcome of `correct_vin`.

    `confidence` is the joint probability of `text` (the product over positions). When `valid` is False
    `text` is the recogniser's top-1 reading, untouched. `ambiguous` means another valid reading is at
    least half as likely: the caller should ask a human rather than trust `text`.
    """

    text: str
    valid: bool
    corrected: tuple[CorrectedChar, ...]
    confidence: float
    ambiguous: bool


# A look-alike substitution the recogniser did not propose gets half the probability of what it read.
FOLD_PRIOR = 0.5
AMBIGUITY_RATIO = 2.0
_MIN_PROB = 1e-12
# Bounds the search when callers pass wide top-k lists with a large max_changes.
_MAX_EXPANSIONS = 100_000

Candidates = Sequence[Sequence[tuple[str, float]]]


@dataclass(frozen=True, slots=True)
class _Change:
    cost: float  # -log(p_alternative / p_top1), >= 0
    index: int  # 0-based position
    char: str
    prob: float


@dataclass(frozen=True, slots=True)
class _Search:
    top1: str
    top1_prob: float
    best: str | None
    best_prob: float
    corrected: tuple[CorrectedChar, ...]
    ambiguous: bool


def _prepare(
    candidates: Candidates, fold: Callable[[int, str], str | None], max_changes: int
) -> list[list[tuple[str, float]]]:
    """Validate the recogniser output and return, per position, unique alternatives best first."""
    if isinstance(max_changes, bool) or not isinstance(max_changes, int) or max_changes < 0:
        raise ValueError(f"max_changes must be a non-negative int, got {max_changes!r}")
    if isinstance(candidates, str) or not isinstance(candidates, Sequence):
        raise TypeError("candidates must be a sequence (one entry per position) of (char, prob) sequences")
    prepared: list[list[tuple[str, float]]] = []
    for index, alternatives in enumerate(candidates):
        if isinstance(alternatives, str) or not isinstance(alternatives, Sequence) or not alternatives:
            raise ValueError(f"position {index + 1}: expected a non-empty sequence of (char, prob) pairs")
        best: dict[str, float] = {}
        for item in alternatives:
            if not isinstance(item, tuple | list) or len(item) != 2:
                raise ValueError(
                    f"position {index + 1}: alternatives must be (char, prob) pairs, got {item!r}"
                )
            char, prob = item
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(f"position {index + 1}: alternative {char!r} is not a single character")
            prob = float(prob)
            if not 0.0 <= prob <= 1.0:  # also rejects NaN
                raise ValueError(f"position {index + 1}: probability {prob!r} is outside [0, 1]")
            char = char.upper()
            best[char] = max(prob, best.get(char, 0.0))
        for char, prob in list(best.items()):
            folded = fold(index, char)
            if folded is not None:
                best[folded] = max(best.get(folded, 0.0), prob * FOLD_PRIOR)
        # sorted() is stable, so the recogniser's own order breaks ties.
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        # A zero-probability alternative is no evidence: it must not turn into a "fix".
        prepared.append(ranked[:1] + [kv for kv in ranked[1:] if kv[1] > 0.0])
    return prepared


def _search(
    alternatives: list[list[tuple[str, float]]], is_valid: Callable[[str], bool], max_changes: int
) -> _Search:
    """Best-first search for the most probable valid reading with at most `max_changes` substitutions.

    Each substitution has a cost -log(p_alt / p_top1) >= 0. Sorting substitutions by cost and walking
    the subsets in the standard "extend or advance the last element" order visits subsets in
    non-decreasing total cost, each exactly once, so the first valid one is the most probable.
    The walk continues past it only as far as another reading could be within `AMBIGUITY_RATIO`.
    """
    top_chars = [alts[0][0] for alts in alternatives]
    top_logs = [math.log(max(alts[0][1], _MIN_PROB)) for alts in alternatives]
    top1 = "".join(top_chars)
    top1_prob = math.exp(sum(top_logs))

    changes = sorted(
        (
            _Change(top_logs[i] - math.log(max(p, _MIN_PROB)), i, c, p)
            for i, alts in enumerate(alternatives)
            for c, p in alts[1:]
        ),
        key=lambda ch: (ch.cost, ch.index),
    )

    def apply(subset: tuple[int, ...]) -> str:
        chars = list(top_chars)
        for k in subset:
            chars[changes[k].index] = changes[k].char
        return "".join(chars)

    found: list[tuple[float, tuple[int, ...]]] = []
    if is_valid(top1):
        found.append((0.0, ()))
    slack = math.log(AMBIGUITY_RATIO) + 1e-9
    budget_hit = False
    heap: list[tuple[float, tuple[int, ...]]] = []
    if changes and max_changes > 0:
        heap.append((changes[0].cost, (0,)))
    expansions = 0
    while heap and len(found) < 2:
        cost, subset = heapq.heappop(heap)
        if found and cost > found[0][0] + slack:
            break
        expansions += 1
        if expansions > _MAX_EXPANSIONS:
            budget_hit = True
            break
        head = subset[:-1]
        last = subset[-1]
        head_indices = {changes[k].index for k in head}
        if len(head_indices) != len(head):
            continue  # every descendant keeps `head`, so all of them substitute one position twice
        last_fits = changes[last].index not in head_indices
        if last + 1 < len(changes):
            advanced = cost - changes[last].cost + changes[last + 1].cost
            heapq.heappush(heap, (advanced, (*head, last + 1)))
            if last_fits and len(subset) < max_changes:
                heapq.heappush(heap, (cost + changes[last + 1].cost, (*subset, last + 1)))
        if last_fits and is_valid(apply(subset)):
            found.append((cost, subset))

    if not found:
        return _Search(top1, top1_prob, None, 0.0, (), False)
    best_cost, best_subset = found[0]
    corrected = tuple(
        CorrectedChar(
            position=changes[k].index + 1,
            read=top_chars[changes[k].index],
            corrected_to=changes[k].char,
            confidence=changes[k].prob,
        )
        for k in sorted(best_subset, key=lambda k: changes[k].index)
    )
    # If the budget ran out we cannot rule out a close rival, so we refuse to vouch for the pick.
    ambiguous = len(found) > 1 or budget_hit
    return _Search(
        top1, top1_prob, apply(best_subset), top1_prob * math.exp(-best_cost), corrected, ambiguous
    )


def _fold_vin(_index: int, char: str) -> str | None:
    return _FORBIDDEN_LOOKALIKES.get(char)


def _vin_ok_allocated(vin: str) -> bool:
    return _vin_ok(vin) and (vin[:3] in WMI or _country_of(vin[:3]) is not None)


def correct_vin(candidates: Candidates, max_changes: int = 2, allocated_wmi: bool = False) -> VinCorrection:
    """Most probable valid VIN reachable from the recogniser's top-k by at most `max_changes` swaps.

    With `allocated_wmi`, a valid VIN must also start with a WMI in an allocated ISO 3780 range (or a
    known maker): a stricter plausibility for readings that may be shifted onto a mark next to the VIN.

    `candidates[i]` lists (char, probability) alternatives for position i (probabilities in [0, 1]).
    I, O and Q also propose 1, 0 and 0 at `FOLD_PRIOR` times their probability. If nothing valid is in
    reach the top-1 reading comes back with valid=False and no corrections: we never guess silently.
    """
    alternatives = _prepare(candidates, _fold_vin, max_changes)
    if len(alternatives) != VIN_LENGTH:
        # Substitutions cannot fix a missing or extra character.
        top1 = "".join(alts[0][0] for alts in alternatives)
        prob = math.prod(alts[0][1] for alts in alternatives) if alternatives else 0.0
        return VinCorrection(text=top1, valid=False, corrected=(), confidence=prob, ambiguous=False)
    result = _search(alternatives, _vin_ok_allocated if allocated_wmi else _vin_ok, max_changes)
    if result.best is None:
        return VinCorrection(
            text=result.top1, valid=False, corrected=(), confidence=result.top1_prob, ambiguous=False
        )
    return VinCorrection(
        text=result.best,
        valid=True,
        corrected=result.corrected,
        confidence=result.best_prob,
        ambiguous=result.ambiguous,
    )
