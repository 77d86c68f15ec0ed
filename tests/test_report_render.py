"""Report rendering: the documented filters, the built-in templates, template errors."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pandas as pd
import pytest

from fulian_stats.aggregate import aggregate
from fulian_stats.aggregate.compare import Comparison
from fulian_stats.catalog import load_catalog, parse_catalog
from fulian_stats.report.numbers import cn_approx, cn_change, cn_num, pct
from fulian_stats.errors import FulianError
from fulian_stats.orgs import parse_orgs
from fulian_stats.periods import parse_period
from fulian_stats.read import OBSERVATION_COLUMNS
from fulian_stats.report.render import draft, make_env, parse_document

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
DRAFTED = datetime.date(2019, 1, 10)  # the date of drafting: a test's text never depends on the day it runs


def render_report(data, catalog, region, suffix, **options):
    """(text, context) of the draft of `data` as `suffix` text."""
    document = draft(data, catalog, region, date=options.pop("date", DRAFTED), **options)
    return document.render(suffix), document.context


def _doc_examples() -> list[tuple[str, str]]:
    """(jinja expression, expected text) rows of the filter table in docs/templates.md."""
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    table = text.split("## Filters", 1)[1]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.replace("\\|", "\x00").strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`") and cells[2].startswith("`"):
            rows.append((cells[1].strip("`").replace("\x00", "|"), cells[2].strip("`")))
    return rows


def test_docs_list_every_filter_example_of_the_spec():
    assert len(_doc_examples()) == 45


@pytest.mark.parametrize(("expression", "expected"), _doc_examples())
def test_documented_filter_examples_render_exactly(expression, expected):
    env = make_env(None, autoescape=False)
    assert env.from_string("{{ " + expression + " }}").render() == expected


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """Observations (org, period, indicator, value) as the reader would give them."""
    full = [(org, period, ind, float(value), "月报", f"D{i + 4}", "month", f"{org}_{period}.xlsx")
            for i, (org, period, ind, value) in enumerate(rows)]
    return pd.DataFrame(full, columns=OBSERVATION_COLUMNS)


DISTRICT = [
    # Year 2018: three townships, December figures (flows are the year's; stocks end of year).
    ("大宁镇", "2018-12", "wechat_reads", 121200), ("白沙镇", "2018-12", "wechat_reads", 100000),
    ("大宁镇", "2018-12", "jobs_offered", 12000), ("白沙镇", "2018-12", "jobs_offered", 8345),
    ("大宁镇", "2018-12", "housekeeping_participants", 200), ("石门镇", "2018-12", "housekeeping_participants", 116),
    ("大宁镇", "2018-12", "housekeeping_events", 3), ("石门镇", "2018-12", "housekeeping_events", 2),
    ("大宁镇", "2018-12", "projects_investment", 12500),
    ("大宁镇", "2018-12", "petitions", 13), ("白沙镇", "2018-12", "petitions", 13),
    ("大宁镇", "2018-12", "petitions_handled", 12), ("白沙镇", "2018-12", "petitions_handled", 12),
    ("大宁镇", "2018-12", "job_fairs", 0),
    ("大宁镇", "2018-12", "demo_bases_new", 3),
    # 2017, for the comparison with the year before.
    ("大宁镇", "2017-12", "wechat_reads", 200000), ("大宁镇", "2017-12", "petitions", 10),
    ("大宁镇", "2017-12", "petitions_handled", 9), ("大宁镇", "2017-12", "demo_bases_new", 8),
]


def annual(rows=DISTRICT, period="2018", **kwargs):
    frame = frame_of(rows)
    p = parse_period(period)
    current = aggregate(frame, CATALOG, p, "org")
    before = aggregate(frame, CATALOG, p.previous(), "total")  # for a year, also the year before
    return Comparison(current, before if before.rows else None, before if before.rows else None), kwargs


def test_annual_review_states_every_nonzero_total_in_official_style():
    comparison, _ = annual()
    text, _ = render_report(comparison, CATALOG, "青溪县", ".md")
    assert text.startswith("# 巾帼建新功 奋进新征程\n\n## ——青溪县2018年妇女儿童工作综述\n")
    # every clause is the catalog's phrase with its figure; a part does not restart with the year
    assert "用好新媒体和主流媒体两个阵地。阅读量达22.12万次，比上年增长10.6%。\n" in text
    assert "搭建平台。提供就业岗位2万多个。开展家政培训进村（社区）活动5场，参与群众300多人。\n" in text  # 316 people
    assert "帮助贫困家庭稳定致富。新培树巾帼脱贫示范基地3个，比上年减少5个。\n" in text  # a handful: not 下降62.5%
    assert "合法权益。接待妇女儿童信访案件26件，比上年增加16件，办结24件，处理率达92.3%。\n" in text
    assert "积极牵线搭桥。项目总投资1.25亿元。\n" in text
    assert "\n2018年，" not in text.split("\n\n", 3)[3]  # the year only in the opening
    assert "招聘会" not in text.split("|")[0]  # zero: no sentence
    assert "| 信访案件处理率 | 92.3% | 90% | 提高2.3个百分点 |" in text


def test_annual_review_of_a_catalog_without_phrases_says_names_and_figures():
    catalog = parse_catalog("id,name,unit,section,kind,numerator,denominator,aliases\n"
                            "jobs_offered,提供就业岗位,个,创业就业,flow,,,\n"
                            "projects_investment,新引进项目投资额,万元,招商引资,flow,,,\n", "my.csv")
    frame = frame_of([row for row in DISTRICT if row[2] in catalog.by_id])
    comparison = Comparison(aggregate(frame, catalog, parse_period("2018"), "org"))
    text, _ = render_report(comparison, catalog, "青溪县", ".md")
    assert "搭建平台。提供就业岗位2万多个。\n" in text
    assert "积极牵线搭桥。新引进项目投资额1.25亿元。\n" in text


TOWNS = parse_orgs("name,parent,aliases\n青溪县,,\n大宁镇,青溪县,\n白沙镇,青溪县,\n龙潭乡,青溪县,\n", "orgs.csv")
OPENING = "2018年，青溪县各级妇联组织团结带领广大妇女，围绕中心、服务大局，扎实推进各项工作，妇女儿童事业取得新进展。"


@pytest.mark.parametrize(("orgs", "gaps", "says"), [
    (TOWNS, [], "全县3个乡镇（街道）妇联全部按月报送了工作数据。"),
    (TOWNS, [("白沙镇", 3), ("白沙镇", 5), ("龙潭乡", 12)],
     "全县3个乡镇（街道）中1个报送了全年数据（白沙镇3月、5月，龙潭乡12月未报送，相关数据未计入）。"),
    (None, [], "3个乡镇（街道）妇联按月报送了工作数据。"),
    (None, [("白沙镇", 3)], "3个乡镇（街道）妇联报送了工作数据。"),  # nobody said all should have
])
def test_the_opening_says_how_many_townships_the_data_cover(orgs, gaps, says):
    """The 综述 said “12个乡镇（街道）妇联按月报送” whoever had not."""
    rows = [(org, f"2018-{m:02d}", "trainees", 10) for org in ("大宁镇", "白沙镇", "龙潭乡") for m in range(1, 13)
            if (org, m) not in gaps]
    current = aggregate(frame_of(rows), CATALOG, parse_period("2018"), "org", orgs, region="青溪县" if orgs else None)
    text, context = render_report(Comparison(current), CATALOG, "青溪县", ".md")
    assert text.split("\n")[4] == f"{OPENING}{says}"
    assert context["coverage"]["is_complete"] is (orgs is not None and not gaps)


def test_the_coverage_in_the_context():
    rows = [("大宁镇", "2018-01", "trainees", 1), ("白沙镇", "2018-02", "trainees", 1)]
    current = aggregate(frame_of(rows), CATALOG, parse_period("2018-01..2018-02"), "org", TOWNS, region="青溪县")
    _text, context = render_report(Comparison(current), CATALOG, "青溪县", ".md")
    assert context["coverage"] == {
        "expected_orgs": ["大宁镇", "白沙镇", "龙潭乡"], "reporting_orgs": ["大宁镇", "白沙镇"], "complete_orgs": [],
        "is_complete": False,
        "missing": [{"org": "大宁镇", "months": "2月", "codes": ["2018-02"]},
                    {"org": "白沙镇", "months": "1月", "codes": ["2018-01"]},
                    {"org": "龙潭乡", "months": "1-2月", "codes": ["2018-01", "2018-02"]}],
        "invalid": [], "partial": [], "missing_text": "大宁镇 2月；白沙镇 1月；龙潭乡 1-2月", "invalid_text": "",
        "partial_text": "", "skipped_files": []}


def test_annual_review_writes_no_figure_that_is_not_in_the_data():
    comparison, _ = annual()
    text, context = render_report(comparison, CATALOG, "青溪县", ".md")
    allowed = {"2017", "2018", str(len(context["orgs"])), "2019", "1", "10"}  # the plan for 2019; 落款 2019年1月10日
    for values in (context["v"], context["prev"]):
        for ind in CATALOG:
            x = values[ind.id]
            if x is None:
                continue
            for written in (cn_num(x, ind.unit), cn_approx(x, ind.unit), pct(x), cn_num(x)):
                allowed.update(re.findall(r"\d+(?:\.\d+)?", written))
            if context["v"][ind.id] is not None and context["prev"][ind.id] is not None:
                change = cn_change(context["v"][ind.id], context["prev"][ind.id], ind.unit, rate=ind.kind == "rate")
                allowed.update(re.findall(r"\d+(?:\.\d+)?", change))
    written = set(re.findall(r"\d+(?:\.\d+)?", text))
    assert written - allowed == set()


def test_annual_review_html_is_autoescaped():
    comparison, _ = annual()
    page, _ = render_report(comparison, CATALOG, "<script>alert(1)</script>县", ".html")
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;县" in page
    assert "<h1>巾帼建新功 奋进新征程</h1>" in page


def test_user_template_with_unknown_indicator_names_it_and_its_line(tmp_path):
    template = tmp_path / "我的.md.j2"
    template.write_text("# 标题\n\n{{ v.trainees }}{{ v.no_such_thing }}\n", encoding="utf-8")
    comparison, _ = annual()
    with pytest.raises(FulianError) as caught:
        render_report(comparison, CATALOG, "青溪县", ".md", template=str(template))
    assert str(caught.value) == "模板 我的.md.j2 第3行：模板中用到了指标目录中没有的指标“no_such_thing”"


def test_user_template_with_unknown_name_names_it(tmp_path):
    template = tmp_path / "t.md.j2"
    template.write_text("{{ region }}\n{{ regoin }}\n", encoding="utf-8")
    comparison, _ = annual()
    with pytest.raises(FulianError) as caught:
        render_report(comparison, CATALOG, "青溪县", ".md", template=str(template))
    assert str(caught.value) == "模板 t.md.j2 第2行：“regoin”未定义（可用的名称见 docs/templates.md）"


@pytest.mark.parametrize("call, message", [
    ("cn_change(3, true)", "cn_change 的第三个参数是单位（如“个”），不是“True”；比率请写 rate=true"),
    ("cn_phrase('培训{N}人', '人')", "短语“培训{N}人”中的“{N}”无法识别（只能用{n}表示数字、{u}表示单位）"),
    ("cn_approx('人', within=0)", "近似时舍去部分的比例应大于0、不超过1：0"),
])
def test_a_filter_used_wrong_says_why_in_chinese(tmp_path, call, message):
    template = tmp_path / "t.md.j2"
    template.write_text("# 标题\n\n{{ v.jobs_offered | " + call + " }}\n", encoding="utf-8")
    comparison, _ = annual()
    with pytest.raises(FulianError) as caught:
        render_report(comparison, CATALOG, "青溪县", ".md", template=str(template))
    assert str(caught.value) == f"模板 t.md.j2 第3行：{message}"


def test_user_template_cannot_reach_python_internals(tmp_path):
    template = tmp_path / "evil.md.j2"
    template.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    comparison, _ = annual()
    with pytest.raises(FulianError, match="^模板 evil.md.j2 第1行"):
        render_report(comparison, CATALOG, "青溪县", ".md", template=str(template))


def test_user_template_renders_the_documented_context(tmp_path):
    template = tmp_path / "简报.md.j2"
    template.write_text(
        "{{ region }}{{ period.label }}提供就业岗位{{ v.jobs_offered | cn_approx('个') }}，"
        "阅读量{{ v['wechat_reads'] | cn_num('次') }}{{ v.wechat_reads | cn_change(prev.wechat_reads) }}。\n",
        encoding="utf-8")
    comparison, _ = annual()
    text, _ = render_report(comparison, CATALOG, "青溪县", ".md", template=str(template))
    assert text == "青溪县2018年提供就业岗位2万多个，阅读量22.12万次增长10.6%。\n"


def test_monthly_brief_compares_with_last_month_and_a_year_ago():
    rows = [("大宁镇", "2018-03", "trainees", 30), ("大宁镇", "2018-02", "trainees", 20),
            ("大宁镇", "2018-01", "trainees", 10), ("大宁镇", "2017-03", "trainees", 40),
            ("大宁镇", "2018-03", "jobs_offered", 1300), ("大宁镇", "2018-02", "jobs_offered", 1000),
            ("大宁镇", "2017-03", "jobs_offered", 1090)]
    frame = frame_of(rows)
    p = parse_period("2018-03")
    comparison = Comparison(aggregate(frame, CATALOG, p, "org"),
                            aggregate(frame, CATALOG, p.previous()),
                            aggregate(frame, CATALOG, p.year_before()),
                            aggregate(frame, CATALOG, p.year_to_date()))
    text, _ = render_report(comparison, CATALOG, "青溪县", ".md")
    assert text.startswith("# 青溪县妇联工作统计月报（2018年3月）\n")
    # a handful of people change by a difference, hundreds by a percentage with one decimal
    assert "| 参训妇女 | 30人 | 60人 | 增加10人 | 减少10人 |" in text
    assert "| 提供就业岗位 | 1300个 | 2300个 | 增长30.0% | 增长19.3% |" in text
    # the biggest rise first (30 over 20 people, then 1300 over 1000 jobs), not catalog order
    assert "环比增长较多的有：参训妇女30人，环比增加10人；提供就业岗位1300个，环比增长30.0%。" in text


def test_parse_document_splits_title_paragraphs_and_table():
    doc = parse_document("# 标题\n\n## ——副标题\n\n第一段。\n\n第二段。\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert doc == {"title": "标题", "subtitle": "——副标题", "paragraphs": ["第一段。", "第二段。"],
                   "table": {"header": ["a", "b"], "rows": [["1", "2"]]},
                   "blocks": [{"kind": "paragraph", "text": "第一段。"}, {"kind": "paragraph", "text": "第二段。"},
                              {"kind": "table", "header": ["a", "b"], "rows": [["1", "2"]]}]}


def test_parse_document_knows_headings_placeholders_the_signature_and_page_breaks():
    doc = parse_document("# 标题\n\n开头。\n\n### 一、部分\n\n正文。\n\n【此处补充典型事例】\n\n"
                         "::: 落款\n青溪县妇联\n2019年1月10日\n:::\n\n---\n\n#### 附表\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
                         "\n说明【见上】。\n\n| c |\n| 3 |\n")
    assert doc["blocks"] == [
        {"kind": "paragraph", "text": "开头。"}, {"kind": "heading", "text": "一、部分"},
        {"kind": "paragraph", "text": "正文。"}, {"kind": "placeholder", "text": "【此处补充典型事例】"},
        {"kind": "signature", "lines": ["青溪县妇联", "2019年1月10日"]}, {"kind": "break"},
        {"kind": "caption", "text": "附表"}, {"kind": "table", "header": ["a", "b"], "rows": [["1", "2"]]},
        {"kind": "paragraph", "text": "说明【见上】。"}, {"kind": "table", "header": ["c"], "rows": [["3"]]}]
    # templates written before blocks still get every text, in order, and the first table
    assert doc["paragraphs"] == ["开头。", "一、部分", "正文。", "【此处补充典型事例】", "青溪县妇联", "2019年1月10日",
                                 "附表", "说明【见上】。"]
    assert doc["table"] == {"header": ["a", "b"], "rows": [["1", "2"]]}


def test_the_org_that_led_is_named_only_when_worth_saying():
    rows = [("大宁镇", "2018-12", "wechat_posts", 120), ("白沙镇", "2018-12", "wechat_posts", 30),
            ("石门镇", "2018-12", "wechat_posts", 20), ("大宁镇", "2018-12", "trainees", 10),
            ("白沙镇", "2018-12", "trainees", 9), ("石门镇", "2018-12", "trainees", 11)]
    comparison = Comparison(aggregate(frame_of(rows), CATALOG, parse_period("2018"), "org"))
    text, context = render_report(comparison, CATALOG, "青溪县", ".md")
    assert context["leader"]("wechat_posts") == {"org": "大宁镇", "value": 120, "share": 120 / 170 * 100}
    assert context["leader"]("trainees") is None  # 11 of 30: 37%, not twice an equal third
    assert "通过新媒体推送信息170条。大宁镇新媒体推送信息最多，达120条，占全县的71%。\n" in text


def test_the_offices_templates_folder_overrides_and_adds_templates(tmp_path):
    # fulian.toml's `templates` folder: its 年度综述 replaces the built-in one, and
    # --template finds its other templates by name.
    (tmp_path / "年度综述.md.j2").write_text("# 本县版\n\n{{ region }}{{ period.label }}\n", encoding="utf-8")
    (tmp_path / "简报.md.j2").write_text("简报：{{ v.jobs_offered | cn_approx('个') }}\n", encoding="utf-8")
    comparison, _ = annual()
    default, _ = render_report(comparison, CATALOG, "青溪县", ".md", template_dir=tmp_path)
    named, _ = render_report(comparison, CATALOG, "青溪县", ".md", template="简报", template_dir=tmp_path)
    builtin, _ = render_report(comparison, CATALOG, "青溪县", ".md", template="月报", template_dir=tmp_path)
    assert default == "# 本县版\n\n青溪县2018年\n"
    assert named == "简报：2万多个\n"
    assert builtin.startswith("# 青溪县妇联工作统计报告（2018年）")


def test_the_2017_review_of_the_sample_district_reads_as_an_official_writes_it():
    from typer.testing import CliRunner

    from fulian_stats.cli import app

    sample = ROOT / "sample_data"
    result = CliRunner().invoke(app, ["report", str(sample), "--orgs", str(sample / "orgs.csv"), "--period", "2017"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for sentence in (
        # not compared: 城南 filled in no 示范基地 in 2016, nor 引进项目 in its last quarter; 马岭乡 none after April 2017
        "新培树巾帼脱贫示范基地3个，争取上级补助资金16.95万元。新培树农家乐示范点5个，获补助资金13.66万元。"
        "结对帮扶贫困家庭497户，比上年增长19.8%。\n",
        "引进项目8个，项目总投资1.35亿元。\n",
        "通过新媒体推送信息1799条，比上年增长9.0%，阅读量达30.4万次。",
        "开展家政培训进村（社区）活动51场，参与群众1600多人，其中贫困妇女400多人。",  # 1644 and 421
        "动员2700多名妇女参加两癌保险，保险金额达2706万元。为2000多名妇女开展白内障筛查，",
        "接待妇女儿童信访案件164件，办结149件，处理率达90.9%。\n",
        "| 信访案件处理率 | 90.9% | 90.6% | 提高0.3个百分点 |",  # as printed, not the 0.25 between
        "| 贫困村 | 47个 | 50个 | 减少3个 |",
        "| 参训妇女 | 1163人 | 1064人 | 增长9.3% |",
        "| 参训妇女中的贫困妇女 | 294人 | 254人 | 增长15.7% |",  # not a second row “贫困妇女”
    ):
        assert sentence in text


def test_the_brief_of_a_half_year_has_no_month_columns_and_names_sub_items_in_full():
    # Regression: for 2017-H1 the 环比 and 同比 columns were the same (both a year
    # earlier) under 本月 / 本年累计 headings; two rows read only 「贫困妇女」.
    rows = [("大宁镇", "2018-02", "trainees", 30), ("大宁镇", "2018-02", "trainees_poor", 5),
            ("大宁镇", "2017-02", "trainees", 20), ("大宁镇", "2017-02", "trainees_poor", 4)]
    frame = frame_of(rows)
    p = parse_period("2018-H1")
    comparison = Comparison(aggregate(frame, CATALOG, p, "org"), None, aggregate(frame, CATALOG, p.year_before()))
    text, _ = render_report(comparison, CATALOG, "青溪县", ".md", template="月报")
    assert text.startswith("# 青溪县妇联工作统计报告（2018年上半年）\n")
    assert "| 指标 | 本期 | 同比 |\n|---|---|---|\n| 参训妇女 | 30人 | 增加10人 |\n" in text
    assert f"| {CATALOG['trainees_poor'].label} | 5人 | 增加1人 |" in text and CATALOG["trainees_poor"].label != "贫困妇女"


def test_an_indicator_that_fell_to_zero_stays_in_the_tables():
    # Regression: 接待信访案件 0 (90 a year earlier) vanished from 附表 and 月报; 「7项指标有数」 left out the zeros.
    rows = [("大宁镇", "2018-03", "trainees", 30), ("大宁镇", "2018-03", "petitions", 0),
            ("大宁镇", "2018-03", "wechat_posts", 0),
            ("大宁镇", "2017-03", "trainees", 20), ("大宁镇", "2017-03", "petitions", 90)]
    frame = frame_of(rows)
    month = parse_period("2018-03")
    comparison = Comparison(aggregate(frame, CATALOG, month, "org"), None, aggregate(frame, CATALOG, month.year_before()))
    brief, _ = render_report(comparison, CATALOG, "青溪县", ".md", template="月报")
    assert "2018年3月，青溪县1个乡镇（街道）妇联报送了工作数据，3项指标有数。" in brief
    assert "| 接待信访案件 | 0件 | — | — | 减少90件 |" in brief
    assert "新媒体推送信息" not in brief  # 0, and 0 (none) before: nothing to see
    review, _ = render_report(comparison, CATALOG, "青溪县", ".md", template="年度综述")
    assert "| 接待信访案件 | 0件 | 90件 | 减少90件 |" in review
