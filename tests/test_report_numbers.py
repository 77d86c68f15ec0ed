"""Tests for fulian_stats.report.numbers's figures (cn_num, cn_approx, pct, cn_range): exact
strings, plus properties over integers. The words around figures (cn_change, cn_period,
cn_phrase, the filter registry) are in test_cnnum_prose.py."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulian_stats.report.numbers import cn_approx, cn_num, cn_range, pct
from fulian_stats.errors import FulianError

# ---------------------------------------------------------------- cn_num


@pytest.mark.parametrize(
    ("x", "unit", "expected"),
    [
        # below 10000: plain, at most two decimals, trailing zeros dropped
        (1989, "", "1989"),
        (1989.0, "", "1989"),
        (94.0, "", "94"),
        (12.345, "", "12.35"),
        (0.5, "", "0.5"),
        (0, "", "0"),
        (0.0, "", "0"),
        (9999, "", "9999"),
        (1.005, "", "1.01"),  # half up on the decimal repr, not the binary 1.00499…
        (2.675, "", "2.68"),
        (0.1 + 0.2, "", "0.3"),  # no 0.30000000000000004
        (0.004, "", "0"),
        (0.005, "", "0.01"),
        (316, "人", "316人"),
        # 万 and 亿
        (10000, "", "1万"),
        (221200, "次", "22.12万次"),
        (18000, "", "1.8万"),
        (20000, "", "2万"),
        (12345, "", "1.23万"),
        (12350, "", "1.24万"),  # half up
        (2927000000, "元", "29.27亿元"),
        (100000000, "", "1亿"),
        (56000, "元", "5.6万元"),
        (5600, "元", "5600元"),
        (10**12, "", "10000亿"),  # no 万亿 scale
        # rounding never lands on a whole 万 or 亿 a figure is not, nor carries it into the
        # next scale (regression, trial: 19999人 read 「2万人」, 99999份 「10万份」)
        (99999, "", "9.9999万"),
        (19999, "人", "1.9999万人"),
        (10001, "人次", "1.0001万人次"),
        (9999.999, "", "9999.999"),
        (9999.994, "", "9999.99"),
        (99999999, "", "9999.9999万"),
        (99994999, "", "9999.5万"),
        (19999.000000000004, "人", "1.9999万人"),  # float noise is not a figure's digits
        # unit already in 万 / 亿
        (12500, "万元", "1.25亿元"),
        (94.0, "万元", "94万元"),
        (3000, "万元", "3000万元"),
        (9999.999, "万元", "9999.999万元"),
        (9999.995, "万元", "9999.995万元"),
        (0.5, "万元", "0.5万元"),
        (2.5, "万人", "2.5万人"),
        (7, "万", "7万"),
        (3.5, "亿元", "3.5亿元"),
        (12000, "亿元", "12000亿元"),
        # percent
        (92.35, "%", "92.4%"),
        (100.0, "%", "100%"),
        # negatives keep their sign; -0 is never printed
        (-15000, "", "-1.5万"),
        (-1989, "", "-1989"),
        (-0.5, "", "-0.5"),
        (-0.001, "", "0"),
        (-12500, "万元", "-1.25亿元"),
        # other input types
        (Decimal("12.345"), "", "12.35"),
        ("221200", "次", "22.12万次"),
        (" 94.0 ", "", "94"),
        (None, "", ""),
        (None, "万元", ""),
        (None, "%", ""),
        (float("nan"), "", ""),
    ],
)
def test_cn_num(x, unit, expected):
    assert cn_num(x, unit) == expected


def test_cn_num_default_unit():
    assert cn_num(221200) == "22.12万"


@pytest.mark.parametrize("bad", ["1,234", "abc", float("inf"), float("-inf")])
def test_cn_num_rejects_unusable_values(bad):
    with pytest.raises(FulianError, match=re.escape(str(bad))):
        cn_num(bad)


def test_cn_num_numpy_scalars():
    np = pytest.importorskip("numpy")
    assert cn_num(np.float64(94.0)) == "94"
    assert cn_num(np.int64(221200), "次") == "22.12万次"
    assert cn_num(np.float64("nan")) == ""


# ---------------------------------------------------------------- cn_approx


@pytest.mark.parametrize(
    ("x", "unit", "expected"),
    [
        # the figures: as many leading digits as keep what is dropped under 10%
        (316, "人", "300多人"),
        (1046, "", "1000多"),
        (1644, "", "1600多"),
        (2706, "", "2700多"),
        (765, "", "700多"),
        (15800, "", "1.5万多"),
        (20345, "个", "2万多个"),
        (66, "", "66"),
        (4000, "", "4000"),
        # below 100 exact; round numbers without 多
        (0, "", "0"),
        (99, "", "99"),
        (100, "", "100"),
        (101, "", "100多"),
        (199, "", "190多"),
        (200, "", "200"),
        (230, "", "230"),
        (9999, "", "9000多"),
        # the 万 boundary
        (10000, "", "1万"),
        (10001, "", "1万多"),
        (12000, "", "1.2万"),
        (99999, "", "9万多"),  # unlike cn_num, never rounded up to 10万
        # 多 after a round number goes before the scale word: 20万 < n < 30万
        (221200, "", "20多万"),
        (200000, "", "20万"),
        (150000, "", "15万"),
        (155000, "", "15万多"),  # 15万 < n < 16万
        (99999999, "", "9000多万"),
        # the 亿 boundary
        (100000000, "", "1亿"),
        (100000001, "", "1亿多"),
        (120000000, "", "1.2亿"),
        (125000000, "", "1.2亿多"),
        (2927000000, "元", "29亿多元"),
        (10**12, "", "10000亿"),
        (10**12 + 1, "", "10000多亿"),
        # unit already in 万 / 亿
        (12500, "万元", "1.2亿多元"),
        (2000, "万元", "2000万元"),
        (2345, "万元", "2300多万元"),
        (66, "万元", "60多万元"),
        (5.5, "万元", "5万多元"),
        (5, "万元", "5万元"),
        (0.5, "万元", "0.5万元"),  # below one 万: exact, as cn_num
        (3.5, "亿元", "3.5亿元"),
        (3.75, "亿元", "3.7亿多元"),
        # decimals: exact below 100, truncated from 100 up
        (12.345, "", "12.35"),
        (94.0, "", "94"),
        (300.5, "", "300多"),
        (1989.0, "", "1900多"),
        (-316, "人", "-300多人"),
        (-1644, "", "-1600多"),
        (-66, "", "-66"),
        (92.35, "%", "92.4%"),
        (None, "", ""),
        (None, "万元", ""),
    ],
)
def test_cn_approx(x, unit, expected):
    assert cn_approx(x, unit) == expected


@pytest.mark.parametrize(
    ("x", "within", "expected"),
    [
        (1644, 1, "1000多"),  # the whole value may go: one digit is always enough
        (1644, 0.5, "1000多"),
        (1644, 0.01, "1640多"),
        (2706, 0.001, "2706"),
        (15800, 0.01, "1.58万"),
        (123.456, 0.0001, "123.45多"),  # never past two decimals, as cn_num
    ],
)
def test_cn_approx_within(x, within, expected):
    assert cn_approx(x, within=within) == expected


@pytest.mark.parametrize("within", [0, -0.1, 1.5, None, "abc"])
def test_cn_approx_rejects_a_share_outside_zero_to_one(within):
    with pytest.raises(FulianError, match="近似时舍去部分的比例"):
        cn_approx(1644, within=within)


_APPROX = re.compile(r"(?P<num>[1-9]\d*(?:\.\d+)?)(?P<before>多)?(?P<scale>万|亿)?(?P<after>多)?")
_SCALE = {None: 1, "万": 10**4, "亿": 10**8}


def _approx_value(text: str) -> tuple[Decimal, Decimal, bool]:
    """(the figure written, the place of its last digit, whether 多 follows) of cn_approx's text."""
    m = _APPROX.fullmatch(text)
    assert m, text
    assert not (m["before"] and m["after"]), text
    scale = _SCALE[m["scale"]]
    num = m["num"]
    if "." in num:
        place = Decimal(1).scaleb(-len(num.partition(".")[2]))
    else:
        place = Decimal(10) ** (len(num) - len(num.rstrip("0")))
    if m["before"] or m["after"]:
        # 多 stands for the place after the last digit kept: before the scale word when
        # that digit is a ten or more of the scale ("20多万"), after it otherwise ("2万多")
        assert (m["before"] is not None) == (m["scale"] is None or ("." not in num and num.endswith("0"))), text
    return Decimal(num) * scale, place * scale, bool(m["before"] or m["after"])


@given(st.integers(min_value=100, max_value=10**12), st.sampled_from(["0.1", "0.05", "0.3", "1"]))
def test_cn_approx_drops_under_within_with_the_fewest_digits(n, within):
    written, place, more = _approx_value(cn_approx(n, within=float(within)))
    assert written <= n  # never overstates
    assert more == (written < n)  # 多 exactly when something is dropped
    assert n - written < Decimal(within) * n
    # one digit fewer would have dropped too much
    if len(str(written / place).rstrip("0").rstrip(".")) > 1:
        shorter = n - n % (place * 10)
        assert n - shorter >= Decimal(within) * n


@given(st.integers(min_value=1, max_value=10**8 - 1))
def test_cn_approx_in_wan_units_never_overstates(n):
    # the same figure counted in 万元 reads as that many 万 (or 亿) 元
    text = cn_approx(n, "万元")
    assert text.endswith("元"), text
    written, _place, more = _approx_value(text.removesuffix("元"))
    assert written < n * 10**4 if more else written == n * 10**4
    assert n * 10**4 - written < Decimal("0.1") * n * 10**4


# ---------------------------------------------------------------- cn_num properties


@given(st.integers(min_value=-9999, max_value=9999))
def test_cn_num_small_integers_round_trip(n):
    assert int(cn_num(n)) == n


_NUM = re.compile(r"(?P<num>-?\d+(?:\.\d{1,8})?)(?P<scale>万|亿)?")


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_cn_num_is_within_rounding_of_the_value(n):
    m = _NUM.fullmatch(cn_num(n))
    assert m, cn_num(n)
    scale = _SCALE[m["scale"]]
    assert abs(Decimal(m["num"]) * scale - n) <= Decimal("0.005") * scale
    assert not m["num"].endswith("0") or "." not in m["num"]
    # more than two decimals only where two would read as a whole 万 or 亿 the figure is not
    if "." in m["num"] and len(m["num"].split(".")[1]) > 2:
        shown = Decimal(m["num"]).quantize(Decimal("0.01"))
        assert shown == shown.to_integral_value() and shown * scale != n or abs(shown) >= 10000
    # the scaled number stays below 10000 except in the top scale
    if m["scale"] != "亿":
        assert abs(Decimal(m["num"])) < 10000


# ---------------------------------------------------------------- pct


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (92.3077, 1, "92.3%"),
        (100.0, 1, "100%"),
        (92.35, 1, "92.4%"),  # half up on the repr; binary 92.35 is 92.3499…
        (92.25, 1, "92.3%"),  # not banker's rounding
        (5, 2, "5%"),
        (5.10, 2, "5.1%"),
        (2.675, 2, "2.68%"),
        (92.3077, 0, "92%"),
        (92.5, 0, "93%"),
        (0, 1, "0%"),
        (-0.04, 1, "0%"),
        (-3.25, 1, "-3.3%"),
        (Decimal("33.333"), 2, "33.33%"),
        (None, 1, ""),
        (float("nan"), 1, ""),
    ],
)
def test_pct(x, digits, expected):
    assert pct(x, digits) == expected


def test_pct_default_digits():
    assert pct(92.3077) == "92.3%"


def test_pct_rejects_negative_digits():
    with pytest.raises(FulianError):
        pct(5, -1)


@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
def test_pct_decimals_and_accuracy(x, digits):
    text = pct(x, digits)
    assert text.endswith("%")
    body = text[:-1]
    decimals = body.partition(".")[2]
    step = Decimal(1).scaleb(-digits)
    exact = Decimal(repr(x))
    if Decimal("5e-7") <= exact < step / 2 or 100 - step / 2 <= exact <= 100 - Decimal("5e-7"):  # kept off 0%, 100%
        assert Decimal(body) not in (0, 100) and abs(Decimal(body) - exact) < step / 2
        return
    assert len(decimals) <= digits
    assert not decimals.endswith("0")
    assert abs(Decimal(body) - exact) <= step / 2


# ---------------------------------------------------------------- cn_range


@pytest.mark.parametrize(
    ("lo", "hi", "unit", "expected"),
    [
        (20000, 50000, "元", "2万～5万元"),
        (300, 500, "人", "300～500人"),
        (300, 500, "", "300～500"),
        (5000, 20000, "元", "5000～2万元"),
        (1.5e8, 3e8, "元", "1.5亿～3亿元"),
        (3000, 5000, "万元", "3000万～5000万元"),
        (5000, 12000, "万元", "5000万～1.2亿元"),
        (10, 20.5, "%", "10%～20.5%"),
        (-5, 5, "", "-5～5"),
        (None, 500, "人", ""),
        (300, None, "人", ""),
        (None, 20, "%", ""),
    ],
)
def test_cn_range(lo, hi, unit, expected):
    assert cn_range(lo, hi, unit) == expected


def test_cn_range_uses_fullwidth_wave_dash():
    assert "\uff5e" in cn_range(1, 2)


def test_float_artefacts_never_reach_the_text():
    assert cn_num(0.1 + 0.2) == "0.3"
    assert pct(0.1 + 0.2, 2) == "0.3%"


@pytest.mark.parametrize("value, digits, text", [
    (99.96, 1, "99.96%"), (99.96, 0, "99.96%"), (99.5, 0, "99.5%"), (100, 1, "100%"),
    (0.004, 1, "0.004%"), (0, 1, "0%"), (92.35, 1, "92.4%"),
])
def test_a_rate_is_never_rounded_onto_100_or_0_percent_it_is_not(value, digits, text):
    # Regression: 99.96 printed as 「处理率达100%」.
    assert pct(value, digits) == text


@pytest.mark.parametrize("value, text", [(0.004, "40元"), (0.00004, "0.4元"), (0.5, "0.5万元"), (12500, "1.25亿元")])
def test_a_sum_too_small_for_its_scale_word_is_written_in_the_one_below(value, text):
    # Regression: 0.004万元 printed as 「0万元」 (and by cn_approx too, trial).
    assert cn_num(value, "万元") == text
    if value < 1:
        assert cn_approx(value, "万元") == text
