"""Report periods: a month, quarter, half year, year or month range.

A period is a contiguous range of months; `Period.code` is the canonical spelling
(`2016-03`, `2016-Q1`, `2016-H1`, `2016`, `2016-01..2016-06`) and `label` the Chinese
one (`2016年3月`). Files spell periods in Chinese; `find_period` finds one inside
free text such as a title or a file name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from fulian_stats.errors import UsageError
from fulian_stats.normalize import normalize_text

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_NAMES = "一二三四"


@dataclass(frozen=True, order=True)
class Period:
    """Months first..last inclusive, each as year * 12 + (month - 1)."""

    first: int
    last: int
    # A range the user spelled as months (`2016年1-6月`) keeps that spelling in its
    # label and code, though it equals the half year.
    as_range: bool = field(default=False, compare=False)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        index = year * 12 + month - 1
        return cls(index, index)

    @property
    def year(self) -> int:
        return self.first // 12

    @property
    def is_month(self) -> bool:
        return self.first == self.last

    @property
    def across_years(self) -> bool:
        """Its months are of more than one year: a month is then named with its year."""
        return self.first // 12 != self.last // 12

    def months(self) -> list[Period]:
        return [Period(i, i) for i in range(self.first, self.last + 1)]

    def contains(self, other: Period) -> bool:
        return self.first <= other.first and other.last <= self.last

    def _kind(self) -> tuple[str, int]:
        year, m1 = self.first // 12, self.first % 12 + 1
        span = self.last - self.first + 1
        same_year = self.last // 12 == year
        if span == 1:
            return "month", m1
        if self.as_range:
            return "range", 0
        if same_year and span == 12:
            return "year", 0
        if same_year and span == 6 and m1 in (1, 7):
            return "half", 1 if m1 == 1 else 2
        if same_year and span == 3 and m1 % 3 == 1:
            return "quarter", (m1 - 1) // 3 + 1
        return "range", 0

    @property
    def code(self) -> str:
        kind, n = self._kind()
        year = self.year
        if kind == "month":
            return f"{year}-{n:02d}"
        if kind == "year":
            return str(year)
        if kind == "half":
            return f"{year}-H{n}"
        if kind == "quarter":
            return f"{year}-Q{n}"
        return f"{_month_code(self.first)}..{_month_code(self.last)}"

    @property
    def label(self) -> str:
        kind, n = self._kind()
        year = self.year
        if kind == "month":
            return f"{year}年{n}月"
        if kind == "year":
            return f"{year}年"
        if kind == "half":
            return f"{year}年{'上' if n == 1 else '下'}半年"
        if kind == "quarter":
            return f"{year}年第{_QUARTER_NAMES[n - 1]}季度"
        if self.last // 12 == year:
            return f"{year}年{self.first % 12 + 1}-{self.last % 12 + 1}月"
        return f"{_month_label(self.first)}至{_month_label(self.last)}"

    def previous(self) -> Period:
        """The comparable period before: the previous month for a month, else a year back."""
        shift = 1 if self.is_month else 12
        return Period(self.first - shift, self.last - shift, as_range=self.as_range)

    def year_before(self) -> Period:
        return Period(self.first - 12, self.last - 12, as_range=self.as_range)

    def year_to_date(self) -> Period:
        return Period(self.year * 12, self.last)

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:  # what a notebook shows: Period('2016-Q1')
        return f"Period({self.code!r})"


def _month_code(index: int) -> str:
    return f"{index // 12}-{index % 12 + 1:02d}"


def _month_label(index: int) -> str:
    return f"{index // 12}年{index % 12 + 1}月"


def _valid_month(year: int, month: int) -> bool:
    return 1900 <= year <= 2200 and 1 <= month <= 12


# Patterns tried in order on normalised text; the longer forms first so that
# `2016年1-6月` is not read as `2016年1月`.
_YEAR = r"((?:19|20|21)\d\d)"
# (kind, pattern, words one of which the text must hold for the pattern to match: a
# file name is tried against every pattern, and most are ruled out by a word at once)
_PATTERNS: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    ("range", re.compile(_YEAR + r"-(\d{1,2})\.\." + _YEAR + r"-(\d{1,2})"), ("..",)),
    ("span", re.compile(_YEAR + r"年(\d{1,2})[-~—至到](\d{1,2})月"), ("年",)),
    ("quarter", re.compile(_YEAR + r"年?第?([一二三四1-4])季度"), ("季度",)),
    ("quarter", re.compile(_YEAR + r"-?Q([1-4])", re.IGNORECASE), ("Q", "q")),
    ("half", re.compile(_YEAR + r"年?([上下])半年"), ("半年",)),
    ("half", re.compile(_YEAR + r"-?H([12])", re.IGNORECASE), ("H", "h")),
    ("month", re.compile(_YEAR + r"\s*年\s*(\d{1,2})\s*月(?:份)?"), ("年",)),
    ("month", re.compile(_YEAR + r"[-_./](\d{1,2})(?!\d)"), ()),
    ("month", re.compile(r"(?<!\d)" + _YEAR + r"(0[1-9]|1[0-2])(?!\d)"), ()),
    ("month", re.compile(r"(?<![\d.])(\d\d)\s*年\s*(\d{1,2})\s*月"), ("年",)),  # 16年3月: this century's
    ("year", re.compile(_YEAR + r"年(?:度)?(?!\s*\d)"), ("年",)),
    ("year", re.compile(r"^" + _YEAR + r"$"), ()),
]


def _build(kind: str, groups: tuple[str, ...]) -> Period | None:
    year = int(groups[0])
    year += 2000 if year < 100 else 0
    if kind == "month":
        month = int(groups[1])
        return Period.month(year, month) if _valid_month(year, month) else None
    if kind == "span":
        a, b = int(groups[1]), int(groups[2])
        if not (_valid_month(year, a) and _valid_month(year, b) and a <= b):
            return None
        return Period(year * 12 + a - 1, year * 12 + b - 1, as_range=True)
    if kind == "range":
        y2, a, b = int(groups[2]), int(groups[1]), int(groups[3])
        if not (_valid_month(year, a) and _valid_month(y2, b)):
            return None
        first, last = year * 12 + a - 1, y2 * 12 + b - 1
        return Period(first, last, as_range=True) if first <= last else None
    if kind == "quarter":
        q = _CN_DIGITS[groups[1]]
        return Period(year * 12 + 3 * (q - 1), year * 12 + 3 * q - 1)
    if kind == "half":
        first_half = groups[1] in ("上", "1")
        start = year * 12 + (0 if first_half else 6)
        return Period(start, start + 5)
    return Period(year * 12, year * 12 + 11)


_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0"}
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_CN_MONTH_NUMERAL = r"十[一二]?|[一二三四五六七八九]"
# A month as a number, in digits or Chinese numerals (3, 03, 三, 十二): a regex alternation to group.
MONTH_NUMERAL = r"\d{1,2}|" + _CN_MONTH_NUMERAL
_CN_MONTHS = {name: n for n, name in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}
_CN_MONTH = re.compile(rf"年({_CN_MONTH_NUMERAL})月")


def month_number(text: str) -> int | None:
    """What MONTH_NUMERAL matched, as 1 to 12; None for no month (13, 0)."""
    month = _CN_MONTHS.get(text) or (int(text) if text.isdigit() else 0)
    return month if 1 <= month <= 12 else None


def _arabic(text: str) -> str:
    """二〇一六年三月 as 2016年3月."""
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group(1)) + "年", text)
    return _CN_MONTH.sub(lambda m: f"年{month_number(m.group(1))}月", text)


@lru_cache(maxsize=16384)
def find_period(text: str) -> Period | None:
    """The first period written in `text` (a cell, a title, a file name), or None."""
    text = normalize_text(text)
    if "年" in text and not text.isascii():
        text = _arabic(text)
    for kind, pattern, words in _PATTERNS:
        for word in words:
            if word in text:
                break
        else:
            if words:
                continue
        match = pattern.search(text)
        if match:
            period = _build(kind, match.groups())
            if period is not None:
                return period
    return None


@lru_cache(maxsize=1024)
def period_from_code(text: str) -> Period | None:
    """A period when the whole text spells one (`2016-03`, `2016年第一季度`), else None.

    Strict where find_period is lenient: `2016-06..2016-01` is no period at all here,
    not `2016-06`."""
    text = normalize_text(text)
    for kind, pattern, _words in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _build(kind, match.groups())
    return None


def period_of_cell(value: object) -> Period | None:
    """A period from a cell value: text, a date (its month), or None."""
    if isinstance(value, (dt.date, dt.datetime)):
        return Period.month(value.year, value.month)
    if isinstance(value, str):
        return find_period(value)
    return None


def parse_period(text: str) -> Period:
    """A period given by the user (`--period`): any spelling, or a usage error."""
    period = period_from_code(text.strip()) if text and text.strip() else None
    if period is None:
        raise UsageError(
            f"无法识别的报告期：{text}（可写作 2016-03、2016-Q1、2016-H1、2016、"
            "2016-01..2016-06 或 2016年3月）"
        )
    return period


def months_text(months: list[int], with_year: bool = True) -> str:
    """Months (year * 12 + month - 1) as a person lists them, runs joined:
    `2016年1-3月、5月、2017年1月`; without the year (`1-3月、5月`) where the reader
    knows it."""
    parts, year_shown = [], None
    for run in _runs(sorted(set(months))):
        first, last = run[0], run[-1]
        year = first // 12
        prefix = f"{year}年" if with_year and year != year_shown else ""
        year_shown = year
        span = f"{first % 12 + 1}-{last % 12 + 1}" if last > first else f"{first % 12 + 1}"
        parts.append(f"{prefix}{span}月")
    return "、".join(parts)


def _runs(months: list[int]) -> list[list[int]]:
    """Consecutive months of one year together."""
    runs: list[list[int]] = []
    for m in months:
        if runs and m == runs[-1][-1] + 1 and m // 12 == runs[-1][-1] // 12:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs
