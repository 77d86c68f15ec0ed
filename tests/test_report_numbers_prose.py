"""Tests for the fulian_stats.report.numbers filters that put figures into words: changes
(cn_change), periods (cn_period), catalog phrases (cn_phrase), a part's number
(cn_numeral), the date of a 落款 (cn_date), and the registry templates get them from."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulian_stats.report.numbers import (
    FILTERS,
    cn_approx,
    cn_change,
    cn_date,
    cn_num,
    cn_numeral,
    cn_period,
    cn_phrase,
    cn_range,
    pct,
    phrase_problem,
)
from fulian_stats.errors import FulianError

# ---------------------------------------------------------------- cn_change


@pytest.mark.parametrize(
    ("cur", "prev", "expected"),
    [
        # without a unit: a percentage, always with one decimal
        (115.3, 100, "增长15.3%"),
        (97.9, 100, "下降2.1%"),
        (1099, 1000, "增长9.9%"),
        (1090, 1000, "增长9.0%"),  # never "增长9%"
        (1200, 1000, "增长20.0%"),
        (3000, 1000, "增长200.0%"),
        (0, 1000, "下降100.0%"),
        (1153, 1000.0, "增长15.3%"),
        (1, 3, "下降66.7%"),
        (-50, -100, "增长50.0%"),  # direction follows the change, not the base
        (100.05, 100, "增长0.1%"),
        (100, 100, "持平"),
        (100.04, 100, "基本持平"),  # the figures differ by less than 0.1%
        (99.96, 100, "基本持平"),
        (5, 0, ""),  # growth from zero has no percentage
        (5, None, ""),
        (None, 5, ""),
        (float("nan"), 5, ""),
    ],
)
def test_cn_change_as_a_percentage(cur, prev, expected):
    assert cn_change(cur, prev) == expected


@pytest.mark.parametrize(
    ("cur", "prev", "unit", "expected"),
    [
        # a count under 100 before, or changed by fewer than 10: the difference
        (3, 8, "个", "减少5个"),
        (13, 8, "个", "增加5个"),
        (47, 50, "个", "减少3个"),
        (8, 8, "个", "持平"),
        (5, 0, "个", "增加5个"),  # from nothing: a difference still says it
        (0, 5, "户", "减少5户"),
        (150, 99, "人", "增加51人"),  # 99 before: under 100
        (1009, 1000, "人", "增加9人"),  # changed by 9: under 10
        (10009, 10000, "次", "增加9次"),
        (-5, 5, "个", "减少10个"),
        # otherwise a percentage with one decimal
        (1010, 1000, "人", "增长1.0%"),
        (110, 100, "人", "增长10.0%"),
        (1799, 1651, "条", "增长9.0%"),
        (1163, 1064, "人", "增长9.3%"),
        (304000, 303990, "次", "基本持平"),  # 10 more of 30万: 0.0%
        # scaled units count in ones: 2.5万人 are 25000 people, 31.5万元 are 315000元
        (2.5, 2.4, "万人", "增长4.2%"),
        (2.5009, 2.5, "万人", "基本持平"),  # 9 people more: "0万人" as written
        (31.5, 33, "万元", "下降4.5%"),
        (16.95, 61.26, "万元", "下降72.3%"),
        (12000, 0, "万元", "增加1.2亿元"),  # from nothing
        (1895.2805, 1895.28, "万元", "基本持平"),  # 5元 more: "0万元" is not a change
        (1.004, 1, "元", "基本持平"),
        (1.5, 1, "元", "增加0.5元"),
        (None, 8, "个", ""),
        (8, None, "个", ""),
    ],
)
def test_cn_change_of_a_count(cur, prev, unit, expected):
    assert cn_change(cur, prev, unit) == expected


@pytest.mark.parametrize(
    ("cur", "prev", "expected"),
    [
        # the points between the figures as pct prints them: 90.9% against 90.6%
        (149 / 164 * 100, 135 / 149 * 100, "提高0.3个百分点"),
        (95.5, 92, "提高3.5个百分点"),
        (90, 92, "降低2个百分点"),
        (61.7, 36, "提高25.7个百分点"),
        (92, 92, "持平"),
        (92.33, 92.3, "持平"),  # both print as 92.3%
        (0.3, 0.1 + 0.2, "持平"),
        (92.35, 92.3, "提高0.1个百分点"),  # 92.4% against 92.3%
        (92.34, 92.25, "持平"),  # 92.3% against 92.3%, though 0.09 apart
        (5, 0, "提高5个百分点"),  # a 0% rate is a real value
        (100, 0, "提高100个百分点"),
        (None, 92, ""),
        (92, None, ""),
        (float("nan"), 92, ""),
    ],
)
def test_cn_change_of_a_rate(cur, prev, expected):
    assert cn_change(cur, prev, rate=True) == expected
    assert cn_change(cur, prev, "%") == expected  # a unit of % is a rate


def test_cn_change_rate_wins_over_a_unit():
    assert cn_change(95.5, 92, "个", rate=True) == "提高3.5个百分点"


@pytest.mark.parametrize("unit", [True, 1, None])
def test_cn_change_third_argument_is_the_unit(unit):
    # cn_change(cur, prev, True) once meant a rate: say so rather than write "增加5True"
    with pytest.raises(FulianError, match="^cn_change 的第三个参数是单位"):
        cn_change(95.5, 92, unit)


@given(st.floats(min_value=0, max_value=100, allow_nan=False), st.floats(min_value=0, max_value=100, allow_nan=False))
def test_cn_change_of_a_rate_agrees_with_the_printed_figures(cur, prev):
    text = cn_change(cur, prev, "%")
    printed = Decimal(pct(cur)[:-1]) - Decimal(pct(prev)[:-1])
    if printed == 0:
        assert text == "持平"
    else:
        word = "提高" if printed > 0 else "降低"
        assert text == f"{word}{abs(printed).normalize():f}个百分点"


@given(st.integers(min_value=-(10**6), max_value=10**6), st.integers(min_value=-(10**6), max_value=10**6))
def test_cn_change_of_a_count_is_a_difference_when_small(cur, prev):
    text = cn_change(cur, prev, "个")
    diff = cur - prev
    if diff == 0:
        assert text == "持平"
    elif abs(prev) < 100 or abs(diff) < 10:
        assert text == ("增加" if diff > 0 else "减少") + cn_num(abs(diff), "个")
    else:
        m = re.fullmatch(r"(增长|下降)(\d+\.\d)%|基本持平", text)
        assert m, text
        if m[1]:
            assert (m[1] == "增长") == (diff > 0)
            assert abs(Decimal(m[2]) - Decimal(abs(diff)) / abs(prev) * 100) <= Decimal("0.05")


# ---------------------------------------------------------------- cn_period


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        ("2016", "2016年"),
        ("2016-03", "2016年3月"),
        ("2016-12", "2016年12月"),
        ("2016-3", "2016年3月"),
        ("2016-Q1", "2016年第一季度"),
        ("2016-Q2", "2016年第二季度"),
        ("2016-Q3", "2016年第三季度"),
        ("2016-Q4", "2016年第四季度"),
        ("2016-q4", "2016年第四季度"),
        ("2016-H1", "2016年上半年"),
        ("2016-H2", "2016年下半年"),
        ("2016-01..2016-06", "2016年1-6月"),
        ("2016-01..2016-12", "2016年1-12月"),
        ("2015-11..2016-02", "2015年11月至2016年2月"),
        ("2016-03..2016-03", "2016年3月"),
        (" 2016 ", "2016年"),
        ("2016年", "2016年"),
        ("2016年第一季度", "2016年第一季度"),
    ],
)
def test_cn_period(p, expected):
    assert cn_period(p) == expected


def test_cn_period_label_object():
    assert cn_period(SimpleNamespace(label="2016年第一季度")) == "2016年第一季度"


@pytest.mark.parametrize(
    "bad",
    [
        "xxx",
        "",
        "16",
        "2016-13",
        "2016-00",
        "2016-Q5",
        "2016-H3",
        "2016-06..2016-01",
        "2016-01..2016-13",
        "2016..2017",
        2016,
    ],
)
def test_cn_period_rejects_unknown(bad):
    with pytest.raises(FulianError, match=f"^无法识别的报告期：{re.escape(str(bad))}"):
        cn_period(bad)


# ---------------------------------------------------------------- FILTERS


def test_filters_registry():
    assert FILTERS == {
        "cn_num": cn_num,
        "cn_approx": cn_approx,
        "pct": pct,
        "cn_change": cn_change,
        "cn_range": cn_range,
        "cn_period": cn_period,
        "cn_phrase": cn_phrase,
        "cn_numeral": cn_numeral,
        "cn_date": cn_date,
    }


def test_filters_in_jinja2():
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(autoescape=False)
    env.filters.update(FILTERS)
    template = env.from_string(
        "{{ p | cn_period }}，全市妇女之家{{ n | cn_approx('个') }}，"
        "投入资金{{ money | cn_num('万元') }}，{{ cur | cn_change(prev) }}，"
        "覆盖率{{ rate | pct }}，{{ rate | cn_change(92, rate=True) }}，"
        "补助{{ 20000 | cn_range(50000, '元') }}。"
    )
    assert template.render(
        p="2016-H1", n=20345, money=12500, cur=115.3, prev=100, rate=95.5
    ) == (
        "2016年上半年，全市妇女之家2万多个，投入资金1.25亿元，增长15.3%，"
        "覆盖率95.5%，提高3.5个百分点，补助2万～5万元。"
    )


# ---------------------------------------------------------------- cn_phrase


@pytest.mark.parametrize(
    ("x", "phrase", "unit", "approx", "expected"),
    [
        # {n}: the number with its scale word; the phrase writes the measure word...
        (94, "评选县级最美家庭{n}户", "户", False, "评选县级最美家庭94户"),
        (2084, "为{n}名妇女开展白内障筛查", "人", True, "为2000多名妇女开展白内障筛查"),
        (2084, "为{n}名妇女开展白内障筛查", "人", False, "为2084名妇女开展白内障筛查"),
        (775, "{n}人取得职业资格证书", "人", True, "700多人取得职业资格证书"),
        (20345, "提供就业岗位{n}个", "个", True, "提供就业岗位2万多个"),
        (221200, "阅读量达{n}次", "次", False, "阅读量达22.12万次"),
        (30200, "服务{n}人次", "人次", True, "服务3万多人次"),
        (3.02, "服务{n}人次", "万人次", False, "服务3.02万人次"),  # 3.02万 of them
        # ...or {u}, the unit after its scale word, which moves with the figure
        (2706, "保险金额达{n}{u}", "万元", False, "保险金额达2706万元"),
        (2706, "保险金额达{n}元", "万元", False, "保险金额达2706万元"),
        (13500, "总投资{n}{u}", "万元", False, "总投资1.35亿元"),
        (2345, "投入资金{n}{u}", "万元", True, "投入资金2300多万元"),
        (0.5, "获补助资金{n}{u}", "万元", False, "获补助资金0.5万元"),
        (3000000, "筹集社会资金{n}{u}", "元", False, "筹集社会资金300万元"),
        (149 / 164 * 100, "处理率达{n}{u}", "%", False, "处理率达90.9%"),
        (100.0, "覆盖率达{n}%", "%", True, "覆盖率达100%"),  # a rate is never approximated
        # edges
        (0, "引进项目{n}个", "个", False, "引进项目0个"),
        (66, "培训妇女{n}{u}", "人", True, "培训妇女66人"),
        (-316, "{n}{u}", "人", True, "-300多人"),
        (None, "引进项目{n}个", "个", False, ""),
        (float("nan"), "引进项目{n}个", "个", False, ""),
    ],
)
def test_cn_phrase(x, phrase, unit, approx, expected):
    assert cn_phrase(x, phrase, unit, approx=approx) == expected


def test_cn_phrase_passes_within_on():
    assert cn_phrase(1644, "培训妇女{n}人", "人", approx=True) == "培训妇女1600多人"
    assert cn_phrase(1644, "培训妇女{n}人", "人", approx=True, within=1) == "培训妇女1000多人"


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("评选县级最美家庭", "短语“评选县级最美家庭”中没有{n}（数字的位置）"),
        ("评选{N}户", "短语“评选{N}户”中的“{N}”无法识别（只能用{n}表示数字、{u}表示单位）"),
        ("{n}户家庭获评{level}最美家庭", "短语“{n}户家庭获评{level}最美家庭”中的“{level}”无法识别（只能用{n}表示数字、{u}表示单位）"),
        ("保险金额{n}万元", "短语“保险金额{n}万元”中{n}后不要再写“万”“亿”：{n}已带数量级（如“2706万”），"
                           "金额请写成“{n}元”或“{n}{u}”"),
        ("总投资{n}亿元", "短语“总投资{n}亿元”中{n}后不要再写“万”“亿”：{n}已带数量级（如“2706万”），"
                         "金额请写成“{n}元”或“{n}{u}”"),
    ],
)
def test_a_phrase_that_cannot_take_its_figure(phrase, problem):
    assert phrase_problem(phrase) == problem
    with pytest.raises(FulianError) as caught:
        cn_phrase(5, phrase, "户")
    assert str(caught.value) == problem


@pytest.mark.parametrize("phrase", ["{n}", "{n}{u}", "为{n}名妇女开展白内障筛查", "其中{n}个建有儿童之家", "服务{n}人次"])
def test_phrases_that_take_their_figure(phrase):
    assert phrase_problem(phrase) is None


# ---------------------------------------------------------------- cn_numeral, cn_date


@pytest.mark.parametrize(("n", "expected"), [
    (1, "一"), (7, "七"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九"),
])
def test_cn_numeral(n, expected):
    assert cn_numeral(n) == expected


@pytest.mark.parametrize("n", [0, 100, -1, 2.0, True, "3"])
def test_cn_numeral_outside_its_range(n):
    with pytest.raises(FulianError) as caught:
        cn_numeral(n)
    assert str(caught.value) == f"序号应为1到99的整数：{n}"


@pytest.mark.parametrize(("d", "expected"), [
    (datetime.date(2018, 1, 15), "2018年1月15日"),  # no leading zeros (GB/T 9704)
    (datetime.datetime(2018, 12, 5, 23, 59), "2018年12月5日"),
    ("2018-01-05", "2018年1月5日"),
    (" 2018-10-31 ", "2018年10月31日"),
])
def test_cn_date(d, expected):
    assert cn_date(d) == expected


@pytest.mark.parametrize(("d", "message"), [
    ("2018年1月15日", "无法识别的日期：2018年1月15日（应写成 2018-01-15）"),
    ("2018-02-30", "无法识别的日期：2018-02-30（应写成 2018-01-15）"),
    (20180115, "无法识别的日期：20180115"),
])
def test_cn_date_of_something_else(d, message):
    with pytest.raises(FulianError) as caught:
        cn_date(d)
    assert str(caught.value) == message
