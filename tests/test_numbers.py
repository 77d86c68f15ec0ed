"""Number cells as townships fill them in (fulian_stats.read.numbers.parse_number)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulian_stats.read.numbers import BLANK, ESTIMATE, INVALID, OK, ParsedNumber, parse_number

FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@pytest.mark.parametrize("raw, value, unit, scale", [
    (1989, 1989.0, None, 1),
    (20.5, 20.5, None, 1),
    ("1989", 1989.0, None, 1),
    ("1,989", 1989.0, None, 1),
    ("1,989,000", 1989000.0, None, 1),
    ("1,989.25", 1989.25, None, 1),
    ("１９８９", 1989.0, None, 1),
    ("１，９８９", 1989.0, None, 1),
    ("２０．５", 20.5, None, 1),
    ("1989人", 1989.0, "人", 1),
    ("1989 人", 1989.0, "人", 1),
    ("20.5万元", 205000.0, "元", 10_000),
    ("2.5万", 25000.0, None, 10_000),
    ("2.5亿", 250000000.0, None, 100_000_000),
    ("0.35万", 3500.0, None, 10_000),
    (" 45 ", 45.0, None, 1),
    ("0", 0.0, None, 1),
    (".5", 0.5, None, 1),
])
def test_numbers(raw, value, unit, scale):
    assert parse_number(raw) == ParsedNumber(value, OK, unit, scale)


@pytest.mark.parametrize("raw", [None, "", " ", "\u3000", "\xa0"])
def test_blank_is_not_reported(raw):
    assert parse_number(raw) == ParsedNumber(None, BLANK)


@pytest.mark.parametrize("raw", ["—", "——", "-", "--", "－", "/", "／", "无", "零", " — "])
def test_zero_marks(raw):
    assert parse_number(raw) == ParsedNumber(0.0, OK)


@pytest.mark.parametrize("raw, value, unit, scale", [
    ("300多", 300.0, None, 1),
    ("约300", 300.0, None, 1),
    ("大约300", 300.0, None, 1),
    ("300余", 300.0, None, 1),
    ("300左右", 300.0, None, 1),
    ("近300", 300.0, None, 1),
    ("300多人", 300.0, "人", 1),
    ("约2万", 20000.0, None, 10_000),
])
def test_estimates(raw, value, unit, scale):
    assert parse_number(raw) == ParsedNumber(value, ESTIMATE, unit, scale)


@pytest.mark.parametrize("raw", [
    "abc", "见附表", "未统计", "1,98", "1,0000", "12.5.3", "1e5", "nan", "inf", "0.1+0.2", "=SUM(D4:D6)",
    "三百", "一百二十", "300-400", "约", "多", "万", "45（其中贫困10）", "2016年3月", "9" * 400, "1" * 310 + "万",
    True, False, dt.datetime(2016, 3, 1), dt.date(2016, 3, 1), dt.time(8, 0),
])
def test_other_text_is_invalid(raw):
    assert parse_number(raw) == ParsedNumber(None, INVALID)


def test_negative_numbers_are_numbers():
    """The reader keeps a sign; the check reports NEGATIVE with the cell."""
    assert parse_number("-5") == ParsedNumber(-5.0, OK)
    assert parse_number(-5) == ParsedNumber(-5.0, OK)


def _thousands(n) -> str:
    return f"{n:,}"


amounts = st.one_of(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12).map(lambda k: Decimal(k).scaleb(-2)),
    st.integers(min_value=0, max_value=10**6).map(lambda k: Decimal(k).scaleb(-1)),
)


@given(amounts)
def test_written_forms_parse_back_exactly(n):
    expected = float(n)
    for text in (str(n), _thousands(n), str(n).translate(FULL_WIDTH), _thousands(n).translate(FULL_WIDTH)):
        assert parse_number(text) == ParsedNumber(expected, OK), text
    assert parse_number(f"{n}人") == ParsedNumber(expected, OK, "人")
    assert parse_number(f" {n} ") == ParsedNumber(expected, OK)
    assert parse_number(f"{n}多") == ParsedNumber(expected, ESTIMATE)


@given(st.integers(min_value=0, max_value=10**8).map(lambda k: Decimal(k).scaleb(-2)))
def test_wan_is_exact_to_the_cent(n):
    """`20.5万` is 205000: scaling leaves no binary noise."""
    assert parse_number(f"{n}万") == ParsedNumber(float(n * 10000), OK, None, 10_000)


@given(st.one_of(st.text(), st.text(alphabet="0123456789,.，．万亿多约余人元-—/ 　"),
                 st.text(alphabet="9", min_size=300, max_size=400)))
def test_any_text_never_raises(text):
    parsed = parse_number(text)
    assert parsed.status in (OK, BLANK, ESTIMATE, INVALID)
    assert (parsed.value is None) == (parsed.status in (BLANK, INVALID))
    if parsed.value is not None:
        assert parsed.value == parsed.value and abs(parsed.value) != float("inf")
