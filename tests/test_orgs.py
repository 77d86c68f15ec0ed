"""The org registry: canonical spelling, hierarchy, and broken registries refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fulian_stats.errors import ConfigError
from fulian_stats.orgs import clean_org_name, core_name, load_orgs, parse_level, parse_orgs

REGISTRY = (
    "name,parent,aliases\n"
    "云州市,,\n"
    "青溪县,云州市,青溪县妇联\n"
    "青溪镇,青溪县,青溪|青溪镇妇联\n"
    "大宁镇,青溪县,大宁|大宁镇妇联\n"
    "河西街道,青溪县,河西\n"
    "白云县,云州市,\n"
    "白云镇,白云县,白云\n"
)


@pytest.fixture
def orgs():
    return parse_orgs(REGISTRY, "orgs.csv")


@pytest.mark.parametrize("text, name", [
    ("大宁镇", "大宁镇"), ("大宁", "大宁镇"), ("大宁镇妇联", "大宁镇"), (" 大宁镇 妇联 ", "大宁镇"),
    ("大宁镇妇女联合会", "大宁镇"), ("河西", "河西街道"), ("河西街道妇联", "河西街道"), ("青溪县妇联", "青溪县"),
    ("青溪", "青溪镇"), ("黄河镇", None), ("", None),
])
def test_canonical(orgs, text, name):
    assert orgs.canonical(text) == name


@pytest.mark.parametrize("text, name", [
    ("2016年3月大宁镇月报", "大宁镇"),
    ("大宁_2016-03", "大宁镇"),
    ("青溪县妇联工作统计月报表", "青溪县"),  # the longest name wins over 青溪
    ("青溪镇妇联2016年3月", "青溪镇"),
    ("月报2016-03", None),
])
def test_find_in(orgs, text, name):
    assert orgs.find_in(text) == name


def _find_in_by_every_spelling(orgs, text):
    """find_in as first written: every spelling tried in turn, the longest kept."""
    from fulian_stats.normalize import normalize_text

    text = normalize_text(text)
    best = max((key for key in orgs._by_key if len(key) >= 2 and key in text), key=len, default=None)
    return orgs._by_key[best] if best else None


# Texts made of the registry's own characters, so that names turn up inside them often.
@given(st.text(alphabet="云州市青溪县镇大宁河西街道白云妇联 2016年3月_-", max_size=24))
def test_find_in_by_first_character_finds_what_every_spelling_finds(text):
    orgs = parse_orgs(REGISTRY + "西街,青溪县,\n溪镇,青溪县,\n", "orgs.csv")  # equally long rivals
    assert orgs.find_in(text) == _find_in_by_every_spelling(orgs, text)


def test_hierarchy(orgs):
    assert orgs.leaves() == ["青溪镇", "大宁镇", "河西街道", "白云镇"]
    assert orgs.leaves("青溪县") == ["青溪镇", "大宁镇", "河西街道"]
    assert orgs.leaves("大宁镇") == ["大宁镇"]  # regression: a township region expected none ("全镇0个乡镇")
    assert orgs.descendants("云州市") == ["青溪县", "青溪镇", "大宁镇", "河西街道", "白云县", "白云镇"]
    assert [orgs.height(n) for n in ("大宁镇", "青溪县", "云州市")] == [0, 1, 2]
    assert orgs.ancestor_at("大宁镇", 1) == "青溪县"
    assert orgs.ancestor_at("大宁镇", 2) == "云州市"
    assert orgs.ancestor_at("大宁镇", 0) == "大宁镇"
    assert orgs.ancestor_at("青溪县", 0) is None
    assert orgs.orgs["大宁镇"].aliases == ("大宁", "大宁镇妇联")
    assert orgs.orgs["云州市"].parent is None


def test_clean_and_core_names():
    assert clean_org_name("大宁镇妇联") == "大宁镇"
    assert clean_org_name("ＡＢ镇 妇联") == "AB镇"
    assert core_name("大宁镇妇联") == "大宁"
    assert core_name("河西街道") == "河西"
    assert core_name("镇") == "镇"


def test_load_orgs_in_gbk_with_crlf(tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(REGISTRY.replace("\n", "\r\n").encode("gbk"))
    assert load_orgs(path).canonical("大宁") == "大宁镇"
    assert load_orgs(path).source == str(path)


def test_rows_without_name_are_skipped():
    orgs = parse_orgs("name,parent,aliases\n县,,\n,,\n\n大宁镇,县,\n", "orgs.csv")
    assert list(orgs.orgs) == ["县", "大宁镇"]


def refused(text: str) -> str:
    with pytest.raises(ConfigError) as err:
        parse_orgs(text, "orgs.csv")
    assert err.value.exit_code == 2
    return str(err.value)


def test_duplicate_alias_names_both_rows():
    text = "name,parent,aliases\n县,,\n大宁镇,县,大宁\n白沙镇,县,大宁镇妇联\n"
    assert refused(text) == "单位名册 orgs.csv 第4行：名称或别名“大宁镇妇联”与第3行重复"


def test_duplicate_rows_count_blank_lines():
    text = "name,parent,aliases\n县,,\n\n大宁镇,县,大宁\n,,\n大宁,县,\n"
    assert refused(text) == "单位名册 orgs.csv 第6行：名称或别名“大宁”与第4行重复"


def test_unknown_parent():
    assert refused("name,parent,aliases\n大宁镇,青溪县,\n") == "单位名册 orgs.csv：大宁镇 的上级“青溪县”不在名册中"


def test_cycle():
    assert refused("name,parent,aliases\n甲,乙,\n乙,甲,\n") == "单位名册 orgs.csv：甲 的上级关系形成了循环"


def test_missing_name_column():
    assert refused("单位,上级\n大宁镇,青溪县\n") == "单位名册 orgs.csv 缺少 name 列（应有 name,parent,aliases）"


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_orgs(tmp_path / "nope.csv")
    assert str(err.value) == f"找不到单位名册文件：{tmp_path / 'nope.csv'}"


@pytest.mark.parametrize("text, height", [("township", 0), ("乡镇", 0), ("county", 1), ("县", 1), ("City", 2),
                                          ("市", 2), ("3", 3)])
def test_parse_level(text, height):
    assert parse_level(text) == height


def test_parse_level_refuses():
    with pytest.raises(ConfigError) as err:
        parse_level("省")
    assert str(err.value) == "无法识别的层级：省（可用 township/乡镇、county/县、city/市）"


def test_sample_registry():
    from pathlib import Path

    orgs = load_orgs(Path(__file__).resolve().parent.parent / "sample_data" / "orgs.csv")
    assert len(orgs.leaves("青溪县")) == 12
    assert orgs.ancestor_at("城南街道", 2) == "云州市"
    assert orgs.canonical("官塘") == "官塘镇"


def test_a_township_is_found_in_a_title_outside_the_countys_name():
    orgs = parse_orgs("name,parent,aliases\n青溪县,,青溪县妇联\n大宁镇,青溪县,大宁\n青溪镇,青溪县,青溪\n", "orgs.csv")
    assert orgs.find_in("青溪县大宁镇妇联2016年3月", leaves_only=True) == "大宁镇"
    assert orgs.find_in("青溪县妇联工作统计月报表", leaves_only=True) is None  # not 青溪镇, inside 青溪县's name
    assert orgs.find_in("青溪镇妇联月报", leaves_only=True) == "青溪镇"
    assert orgs.find_in("青溪县妇联工作统计月报表") == "青溪县"
