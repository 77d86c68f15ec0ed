"""Number cells as townships fill them in: numbers, `1,989`, `１９８９`, `1989人`,
`2.5万`, `—` for zero, `300多` as an estimate. Blank means not reported."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from fulian_stats.normalize import normalize_text

OK, BLANK, ESTIMATE, INVALID = "ok", "blank", "estimate", "invalid"
# Marks that mean "none" (zero) in a number cell, after NFKC.
_ZERO_MARKS = frozenset({"-", "--", "—", "——", "―", "/", "\\", "无", "〇", "零", "空", "-0-"})
_NUMBER = re.compile(
    r"^(?P<about>约|大约|近|逾)?"
    r"(?P<num>[+-]?(?:\d+(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)"
    r"(?P<scale>万|亿)?"
    r"(?P<more>多|余|左右|以上)?"
    r"(?P<unit>[^\d.,]{0,4})$"
)
_SCALE = {"万": 10_000, "亿": 100_000_000}
# What Excel shows for a formula that failed, as the guard puts it back and a CSV holds it.
EXCEL_ERRORS = ("#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#FIELD!",
                "#BLOCKED!", "#BUSY!", "#CONNECT!", "#UNKNOWN!", "#GETTING_DATA")
EXCEL_ERROR = re.compile("|".join(map(re.escape, EXCEL_ERRORS)))


class ParsedNumber(NamedTuple):
    value: float | None
    status: str
    unit: str | None = None
    scale: int = 1  # 万 or 亿 written after the number (value already multiplied by it)


_BLANK = ParsedNumber(None, BLANK)


def parse_number(raw: object) -> ParsedNumber:
    """A cell value as a number. Fast for real numbers: most cells are floats."""
    kind = type(raw)
    if kind is float or kind is int:
        return ParsedNumber(float(raw), OK)
    if kind is str:
        return _parse_text(raw) if raw.strip() else _BLANK
    if raw is None:
        return _BLANK
    return ParsedNumber(None, INVALID)  # dates, booleans, errors: not a count


def holds_number(raw: object) -> bool:
    """A number, or text read as one (an estimate too): what a finding must account for."""
    return parse_number(raw).status in (OK, ESTIMATE)


def without_noise(value: float) -> float:
    """Rounded to 6 decimals (a cent of 万元) when it has more, so that unit scaling
    leaves no binary noise below a cent."""
    return value if value == value.__round__(6) else round(value, 6)


@lru_cache(maxsize=65536)
def _parse_text(raw: str) -> ParsedNumber:
    text = normalize_text(raw)
    if text in _ZERO_MARKS:
        return ParsedNumber(0.0, OK)
    match = _NUMBER.match(text)
    if match is None:
        return ParsedNumber(None, INVALID)
    number = match.group("num").replace(",", "")
    scale = _SCALE[match.group("scale")] if match.group("scale") else 1
    # Scaled in decimal, so that 2.5万 and 757251.31万 are exact: no binary noise.
    value = float(Decimal(number) * scale) if scale != 1 else float(number)
    if not math.isfinite(value):
        return ParsedNumber(None, INVALID)  # hundreds of digits: no count, and inf would poison every sum
    estimate = bool(match.group("about") or match.group("more"))
    return ParsedNumber(value, ESTIMATE if estimate else OK, match.group("unit") or None, scale)
