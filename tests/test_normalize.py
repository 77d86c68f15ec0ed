"""Name normalisation shared by every lookup: full-width, spaces, numbering, units."""

from __future__ import annotations

import pytest

from fulian_stats.normalize import normalize_name, normalize_text, split_unit
from fulian_stats.units import conversion_factor, scale_prefixed, unit_scale

UNITS = frozenset({"人", "个", "万元", "元", "人次", "%"})


@pytest.mark.parametrize("text, normal", [
    ("参训妇女", "参训妇女"),
    (" 参训 妇女\t\n", "参训妇女"),
    ("参训\u3000妇女", "参训妇女"),                 # an ideographic space
    ("ＡＢＣ１２３", "ABC123"),
    ("填报单位：大宁镇", "填报单位:大宁镇"),
    ("其中贫困妇女（技能培训）", "其中贫困妇女(技能培训)"),
    ("“最美家庭”", "最美家庭"),
    ("《家庭教育》讲座", "家庭教育讲座"),
])
def test_normalize_text(text, normal):
    assert normalize_text(text) == normal


@pytest.mark.parametrize("text, name", [
    ("1.参训妇女", "参训妇女"),
    ("１．参训妇女", "参训妇女"),
    ("12、参训妇女", "参训妇女"),
    ("（一）参训妇女", "参训妇女"),
    ("(12)参训妇女", "参训妇女"),
    ("一、创业就业", "创业就业"),
    ("十二、创业就业", "创业就业"),
    ("其中：贫困妇女", "贫困妇女"),
    ("其中贫困妇女", "贫困妇女"),
    ("1.其中：贫困妇女", "贫困妇女"),
    ("2016年培训", "2016年培训"),            # a year is not numbering
    ("参训妇女（人）", "参训妇女(人)"),       # the unit is split_unit's job
])
def test_normalize_name(text, name):
    assert normalize_name(text) == name


@pytest.mark.parametrize("text, split", [
    ("提供就业岗位（个）", ("提供就业岗位", "个")),
    ("提供就业岗位(个)", ("提供就业岗位", "个")),
    ("3.贷款金额（万元）", ("贷款金额", "万元")),
    ("妇女之家服务（人次）", ("妇女之家服务", "人次")),
    ("其中贫困妇女（家政培训）", ("贫困妇女(家政培训)", None)),  # not a unit: part of the name
    ("覆盖率（%）", ("覆盖率", "%")),
    ("参训妇女", ("参训妇女", None)),
])
def test_split_unit(text, split):
    assert split_unit(text, UNITS) == split


@pytest.mark.parametrize("unit, scale", [("万元", ("元", 10000)), ("元", ("元", 1)), ("亿元", ("元", 100000000)),
                                         ("万人", ("人", 10000)), ("名", ("人", 1)), ("万", ("万", 1)),
                                         ("人次", ("人次", 1)), ("万人次", ("人次", 10000))])
def test_unit_scale(unit, scale):
    assert unit_scale(unit) == scale


@pytest.mark.parametrize("found, expected, factor", [
    ("元", "万元", 0.0001), ("亿元", "万元", 10000.0), ("万元", "万元", 1.0), ("万人", "人", 10000.0),
    ("名", "人", 1.0), ("万人次", "人次", 10000.0), ("斤", "人", None), ("人", "万元", None), ("次", "人次", None),
])
def test_conversion_factor(found, expected, factor):
    assert conversion_factor(found, expected) == factor


def test_scale_prefixed():
    units = scale_prefixed({"万元", "人"})
    assert {"元", "万元", "亿元", "千元", "人", "万人", "名"} <= units
    assert "斤" not in units
