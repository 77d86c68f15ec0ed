"""The indicator catalog: the default one, lookups by name and alias, and broken user
catalogs refused with one Chinese message naming the row."""

from __future__ import annotations

import pytest

from fulian_stats.catalog import CATALOG_COLUMNS, default_data, load_catalog, parse_catalog
from fulian_stats.report.numbers import cn_phrase
from fulian_stats.errors import CatalogError

HEADER = "id,name,unit,section,kind,numerator,denominator,aliases\n"
GOOD = (
    "trainees,参训妇女,人,创业就业,flow,,,参训人数\n"
    "petitions,接待信访案件,件,巾帼维权,flow,,,信访案件\n"
    "petitions_handled,已处理信访案件,件,巾帼维权,flow,,,\n"
    "petition_handling_rate,信访案件处理率,%,巾帼维权,rate,petitions_handled,petitions,处理率\n"
)


def test_default_catalog():
    catalog = load_catalog()
    assert len(catalog) == 59
    assert catalog.source == "默认指标目录"
    assert len({ind.id for ind in catalog}) == 59
    assert catalog.sections == ["思想引领", "创业就业", "巾帼脱贫", "家庭文明", "巾帼维权", "关爱帮扶", "招商引资"]
    kinds = [ind.kind for ind in catalog]
    assert (kinds.count("flow"), kinds.count("stock"), kinds.count("rate")) == (54, 3, 2)
    assert {ind.id for ind in catalog if ind.kind == "stock"} == {
        "poor_villages", "poor_villages_with_children_home", "children_homes_total"}
    rate = catalog["children_home_coverage"]
    assert (rate.unit, rate.numerator, rate.denominator) == ("%", "poor_villages_with_children_home", "poor_villages")
    loan = catalog["loan_amount"]
    assert (loan.name, loan.unit, loan.section, loan.kind, loan.aliases) == (
        "创业担保贷款金额", "万元", "创业就业", "flow", ("申请资金", "贷款金额"))
    assert loan.as_dict() == {"id": "loan_amount", "name": "创业担保贷款金额", "unit": "万元", "section": "创业就业",
                              "kind": "flow", "numerator": None, "denominator": None,
                              "aliases": ["申请资金", "贷款金额"], "parent": None, "label": "创业担保贷款金额",
                              "phrase": "贷款金额达{n}{u}"}
    assert all(ind.unit and ind.section for ind in catalog)
    poor = catalog["trainees_poor"]
    assert (poor.name, poor.parent, poor.label) == ("贫困妇女", "trainees", "参训妇女中的贫困妇女")


def test_default_catalog_has_a_phrase_of_its_own_for_every_indicator():
    header, *rows = default_data("indicators.csv").splitlines()
    assert header.split(",")[-1] == "phrase"  # the last column: merges with other new columns stay easy
    assert all(row.rsplit(",", 1)[1] for row in rows)
    catalog = load_catalog()
    assert len({ind.phrase for ind in catalog}) >= 55  # a few sub-items share one (其中贫困妇女{n}人)
    for ind in catalog:
        clause = cn_phrase(1234, ind.phrase, ind.unit)
        assert "{" not in clause and "1234" in clause, ind.id
        rest = ind.unit.removeprefix("万").removeprefix("亿")
        assert rest * 2 not in clause, clause  # no 万元元, no 人人


def test_default_phrases():
    catalog = load_catalog()
    assert catalog["best_families_county"].phrase == "评选县级最美家庭{n}户"
    assert catalog["cataract_screened"].phrase == "为{n}名妇女开展白内障筛查"
    assert catalog["cancer_insured_amount"].phrase == "保险金额达{n}{u}"
    assert catalog["petition_handling_rate"].phrase == "处理率达{n}{u}"


def test_a_catalog_without_phrases_says_the_name_and_the_figure():
    catalog = parse_catalog(HEADER + GOOD, "my.csv")
    assert catalog["trainees"].phrase == "参训妇女{n}{u}"
    assert cn_phrase(1163, catalog["trainees"].phrase, "人", approx=True) == "参训妇女1100多人"
    assert cn_phrase(90.85, catalog["petition_handling_rate"].phrase, "%") == "信访案件处理率90.9%"


def test_phrases_of_a_user_catalog():
    body = ("trainees,参训妇女,人,创业就业,flow,,,参训人数,培训妇女{n}人\n"
            "loan_amount,贷款金额,万元,创业就业,flow,,,,\n")  # an empty cell: the name and the figure
    catalog = parse_catalog(HEADER.rstrip("\n") + ",phrase\n" + body, "my.csv")
    assert [ind.phrase for ind in catalog] == ["培训妇女{n}人", "贷款金额{n}{u}"]


@pytest.mark.parametrize("phrase, problem", [
    ("接待信访案件", "短语“接待信访案件”中没有{n}（数字的位置）"),
    ("接待{m}件", "短语“接待{m}件”中的“{m}”无法识别（只能用{n}表示数字、{u}表示单位）"),
    ("接待{n}万件", "短语“接待{n}万件”中{n}后不要再写“万”“亿”：{n}已带数量级（如“2706万”），金额请写成“{n}元”或“{n}{u}”"),
])
def test_a_phrase_that_cannot_take_its_figure_names_the_row(phrase, problem):
    text = HEADER.rstrip("\n") + ",phrase\n" + GOOD.replace("petitions,接待信访案件,件,巾帼维权,flow,,,信访案件",
                                                              f"petitions,接待信访案件,件,巾帼维权,flow,,,信访案件,{phrase}")
    with pytest.raises(CatalogError) as err:
        parse_catalog(text, "my.csv")
    assert str(err.value) == f"指标目录 my.csv 第3行：指标 petitions 的{problem}"


@pytest.mark.parametrize("text, found", [
    ("参训妇女", ("trainees", None)),
    ("参训人数", ("trainees", None)),                       # an alias
    (" 参训 妇女 ", ("trainees", None)),                     # spaces
    ("8.参训妇女", ("trainees", None)),                      # numbering
    ("（八）参训妇女", ("trainees", None)),
    ("其中：参训贫困妇女", ("trainees_poor", None)),
    ("其中贫困妇女（技能培训）", ("trainees_poor", None)),    # full-width brackets, not a unit
    ("其中贫困妇女(家政培训)", ("housekeeping_participants_poor", None)),
    ("提供就业岗位（个）", ("jobs_offered", "个")),           # a unit in brackets
    ("贷款金额(元)", ("loan_amount", "元")),
    ("妇女之家服务（人次）", ("women_home_served", "人次")),
    ("loan_amount", ("loan_amount", None)),                 # the id itself
    ("贷款", (None, None)),
    ("参训妇女（斤）", (None, None)),                         # not a known unit: part of the name
])
def test_lookup(text, found):
    assert load_catalog().lookup(text) == found


def test_is_count():
    catalog = load_catalog()
    assert catalog["trainees"].is_count
    assert not catalog["loan_amount"].is_count
    assert not catalog["petition_handling_rate"].is_count


def test_user_catalog(tmp_path):
    path = tmp_path / "my.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    catalog = load_catalog(path)
    assert [ind.id for ind in catalog] == ["trainees", "petitions", "petitions_handled", "petition_handling_rate"]
    assert catalog.source == str(path)
    assert catalog.lookup("处理率") == ("petition_handling_rate", None)


def test_user_catalog_in_gbk_with_blank_rows(tmp_path):
    """Saved from Excel: GBK, CRLF, empty rows as commas."""
    path = tmp_path / "my.csv"
    path.write_bytes((HEADER + GOOD + ",,,,,,,\n\n").replace("\n", "\r\n").encode("gbk"))
    assert len(load_catalog(path)) == 4


def broken(body: str) -> str:
    with pytest.raises(CatalogError) as err:
        parse_catalog(HEADER + body, "my.csv")
    assert err.value.exit_code == 2
    return str(err.value)


def test_duplicate_id():
    assert broken(GOOD + "trainees,培训妇女,人,创业就业,flow,,,\n") == "指标目录 my.csv 第6行：指标编号 trainees 重复"


def test_duplicate_alias():
    body = GOOD + "trainees_all,培训妇女,人,创业就业,flow,,,参训人数\n"
    assert broken(body) == "指标目录 my.csv 第6行：名称或别名“参训人数”与第2行的指标 trainees 重复（规范化后相同）"


def test_duplicate_alias_after_full_width_normalisation():
    body = ("a_poor,其中贫困妇女(技能培训),人,创业就业,flow,,,\n"
            "b_poor,技能培训贫困妇女,人,创业就业,flow,,,贫困妇女（技能培训）\n")
    assert broken(body) == "指标目录 my.csv 第3行：名称或别名“贫困妇女（技能培训）”与第2行的指标 a_poor 重复（规范化后相同）"
    body = "media_a,ＡＰＰ推送,条,思想引领,flow,,,\nmedia_b,APP 推送,条,思想引领,flow,,,\n"
    assert broken(body) == "指标目录 my.csv 第3行：名称或别名“APP 推送”与第2行的指标 media_a 重复（规范化后相同）"


def test_duplicate_name_up_to_a_unit_in_brackets():
    """The reader reads `参训妇女（人）` as 参训妇女 in 人: two such names are one."""
    body = "a,参训妇女,人,创业就业,flow,,,\nb,参训妇女（人）,人,创业就业,flow,,,\n"
    assert broken(body) == "指标目录 my.csv 第3行：名称或别名“参训妇女（人）”与第2行的指标 a 重复（规范化后相同）"


def test_alias_equal_to_its_own_name_is_fine():
    assert len(parse_catalog(HEADER + "a,参训妇女,人,创业就业,flow,,,参训妇女|参训 妇女\n", "my.csv")) == 1


def test_unknown_kind():
    assert broken(GOOD + "x,某指标,人,创业就业,sum,,,\n") == (
        "指标目录 my.csv 第6行：指标 x 的类型“sum”未知（应为 flow、stock 或 rate）")


def test_rate_without_numerator():
    assert broken("petitions,接待信访案件,件,巾帼维权,flow,,,\nr,处理率,%,巾帼维权,rate,,petitions,\n") == (
        "指标目录 my.csv 第3行：比率指标 r 必须填写分子（numerator）和分母（denominator）")


def test_numerator_not_in_catalog():
    body = "petitions,接待信访案件,件,巾帼维权,flow,,,\nr,处理率,%,巾帼维权,rate,handled,petitions,\n"
    assert broken(body) == "指标目录 my.csv 第3行：比率指标 r 的分子或分母 handled 不在目录中"


def test_numerator_that_is_itself_a_rate():
    body = GOOD + "r2,率之率,%,巾帼维权,rate,petition_handling_rate,petitions,\n"
    assert broken(body) == "指标目录 my.csv 第6行：比率指标 r2 的分子或分母 petition_handling_rate 不能本身是比率"


def test_invalid_id():
    assert broken("Trainees-1,参训妇女,人,创业就业,flow,,,\n") == (
        "指标目录 my.csv 第2行：指标编号“Trainees-1”无效（只能用小写英文字母、数字和下划线，以字母开头）")


@pytest.mark.parametrize("row, label", [(",人,创业就业", "名称"), ("参训妇女,,创业就业", "单位"), ("参训妇女,人,", "栏目")])
def test_missing_name_unit_section(row, label):
    assert broken(f"trainees,{row},flow,,,\n") == f"指标目录 my.csv 第2行：指标 trainees 缺少{label}"


def test_row_numbers_count_blank_lines():
    """The row named is the line a user sees in their editor."""
    assert broken(GOOD + "\n,,,,,,,\nx,某指标,人,创业就业,sum,,,\n") == (
        "指标目录 my.csv 第8行：指标 x 的类型“sum”未知（应为 flow、stock 或 rate）")


def test_missing_columns_and_empty_catalog():
    with pytest.raises(CatalogError) as err:
        parse_catalog("id,name,unit\na,甲,人\n", "my.csv")
    assert str(err.value) == f"指标目录 my.csv 缺少列：section、kind（应有 {','.join(CATALOG_COLUMNS)}）"
    with pytest.raises(CatalogError) as err:
        parse_catalog(HEADER, "my.csv")
    assert str(err.value) == "指标目录 my.csv 中没有指标"


def test_missing_catalog_file(tmp_path):
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path / "nope.csv")
    assert str(err.value) == f"找不到指标目录文件：{tmp_path / 'nope.csv'}"
