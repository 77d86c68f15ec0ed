"""The built-in 年度综述 as a real 综述 is built: title and subtitle, an opening that says
what the totals cover, one numbered part per section with its heading from sections.csv,
a placeholder where only a person can write, a closing, the 落款 and the 附表; the same
in Markdown, HTML and Word. Drafted from the sample district's 2017 (api, as
tests/test_api.py), the date of drafting injected."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

import fulian_stats.api as fs
from fulian_stats.errors import CatalogError
from fulian_stats.report.context import load_sections, sentence_plan
from fulian_stats.report.render import template_files

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DRAFTED = datetime.date(2018, 1, 15)
HEADINGS = ["一、强化思想引领，凝聚妇女群众", "二、助力创业就业，带动妇女增收", "三、投身脱贫攻坚，建功乡村振兴",
            "四、推进家庭文明建设，弘扬良好家风", "五、做实维权服务，促进平安和谐", "六、关爱困难妇女儿童，办好民生实事",
            "七、参与招商引资，助力项目落地"]
OPENING = ("2017年，青溪县各级妇联组织团结带领广大妇女，围绕中心、服务大局，扎实推进各项工作，妇女儿童事业取得新进展。"
           "全县12个乡镇（街道）妇联全部按月报送了工作数据。")
CLOSING = ("一年来的成绩，凝聚着各级妇联干部和妇女群众的辛勤付出。新的一年，青溪县妇联将继续凝心聚力、开拓创新，"
           "引领广大妇女在全县经济社会发展中建功立业。")
# Parts as the draft writes them: the opening sentence of sections.csv, then the sentences.
PARTS = {
    0: "坚持把思想政治工作放在首位，用好新媒体和主流媒体两个阵地。通过新媒体推送信息1799条，比上年增长9.0%，"
       "阅读量达30.4万次。在各级媒体刊发信息225条，宣传先进妇女典型40例。开展专题宣讲65场，覆盖群众5000多人。",
    1: "围绕“创业创新巾帼行动”，为城乡妇女找岗位、学技能、谋发展搭建平台。举办招聘会18场，提供就业岗位4000多个，"
       "比上年增长37.3%，达成就业意向1100多人。开展家政培训进村（社区）活动51场，参与群众1600多人，其中贫困妇女400多人。"
       "举办妇女技能培训班29期，培训妇女1100多人，其中贫困妇女290多人，700多人取得职业资格证书。"
       "帮助230名妇女申请创业担保贷款，贷款金额达1895.28万元。",
    3: "把家庭教育摆在重要位置，让崇德向善的风气走进千家万户。举办家庭教育报告会48场，培训家长5000多人，比上年增长10.4%。"
       "发放宣传资料11.93万份，开展廉政家庭宣讲23场。2户家庭获评省级最美家庭，8户家庭获评市级最美家庭，"
       "评选县级最美家庭94户。开展亲子阅读活动55场，赠送图书5789册。",
    5: "聚焦贫困母亲、困境儿童等群体的所需所盼，把帮扶措施落到实处。现有贫困村47个，比上年减少3个，其中29个建有儿童之家，"
       "覆盖率达61.7%。新建儿童之家26所，儿童之家总数达144所，投入建设资金100.59万元。依托妇女之家开展活动856场，"
       "服务3万多人次，依托儿童之家开展活动631场，服务2万多人次。为45名患病贫困母亲争取两癌救助，发放救助金31.5万元。"
       "动员2700多名妇女参加两癌保险，保险金额达2706万元。为2000多名妇女开展白内障筛查，为240多名患者施行复明手术。"
       "慰问困境妇女、儿童和老人2000多人，结对扶持贫困儿童130多名，筹集社会资金533.56万元。",
}
CASE, PLAN = "【此处补充典型事例】", "【此处补充2018年工作打算】"


@pytest.fixture(scope="module")
def totals():
    return fs.aggregate(fs.check([SAMPLE], orgs=SAMPLE / "orgs.csv", period="2017"))


@pytest.fixture(scope="module")
def review(totals):
    return fs.draft(totals, date=DRAFTED)


def test_the_markdown_has_the_structure_of_a_real_review(review):
    blocks = review.text.split("\n\n")
    assert blocks[:3] == ["# 巾帼建新功 奋进新征程", "## ——青溪县2017年妇女儿童工作综述", OPENING]
    body = blocks[3:3 + 3 * len(HEADINGS)]
    assert [body[i] for i in range(0, len(body), 3)] == [f"### {h}" for h in HEADINGS]
    assert [body[i] for i in range(2, len(body), 3)] == [CASE] * len(HEADINGS)  # one placeholder a part
    for index, text in PARTS.items():
        assert body[3 * index + 1] == text
    assert blocks[3 + 3 * len(HEADINGS):3 + 3 * len(HEADINGS) + 5] == [
        CLOSING, PLAN, "::: 落款\n青溪县妇联\n2018年1月15日\n:::", "---", "#### 青溪县2017年妇女工作主要数据"]
    assert blocks[-1].startswith("| 指标 | 2017年 | 上年 | 增减 |\n|---|---|---|---|\n| 新媒体推送信息 | 1799条 | 1651条 | 增长9.0% |\n")
    assert review.text.count("【") == len(HEADINGS) + 1
    assert review.text.count("2017年，") == 1  # the year is said in the opening, not at the head of every part


def test_the_html_renders_headings_placeholders_and_the_signature(review):
    page = review.render(".html")
    body = page.split("<body>\n", 1)[1].split("\n")
    assert body[:3] == ["<h1>巾帼建新功 奋进新征程</h1>", '<p class="subtitle">——青溪县2017年妇女儿童工作综述</p>',
                        f"<p>{OPENING}</p>"]
    assert [line for line in body if line.startswith("<h2>")] == [f"<h2>{h}</h2>" for h in HEADINGS]
    assert body[3:6] == [f"<h2>{HEADINGS[0]}</h2>", f"<p>{PARTS[0]}</p>", f'<p class="placeholder">{CASE}</p>']
    end = body.index(f"<p>{CLOSING}</p>")
    assert body[end:end + 5] == [f"<p>{CLOSING}</p>", f'<p class="placeholder">{PLAN}</p>',
                                 '<div class="signature"><p>青溪县妇联</p><p>2018年1月15日</p></div>', "<hr>",
                                 "<h3>青溪县2017年妇女工作主要数据</h3>"]
    assert body[end + 5].startswith("<table><thead><tr><th>指标</th><th>2017年</th><th>上年</th><th>增减</th></tr>")


def test_the_word_document_has_a_style_for_each_part(review, tmp_path):
    fs.write(review, tmp_path / "综述.docx")
    document = Document(str(tmp_path / "综述.docx"))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    parts = [("公文一级标题", h) for h in HEADINGS]
    assert paragraphs[:4] == [("公文标题", "巾帼建新功 奋进新征程"), ("公文副标题", "——青溪县2017年妇女儿童工作综述"),
                              ("公文正文", OPENING), parts[0]]
    assert [p for p in paragraphs if p[0] == "公文一级标题"] == parts
    assert paragraphs[4:6] == [("公文正文", PARTS[0]), ("公文待补充", CASE)]
    assert paragraphs[-6:] == [("公文正文", CLOSING), ("公文待补充", PLAN), ("公文落款", "青溪县妇联"),
                               ("公文落款", "2018年1月15日"), ("公文分页", ""), ("公文表题", "青溪县2017年妇女工作主要数据")]
    assert len(paragraphs) == 3 + 3 * len(HEADINGS) + 6
    # the 附表 follows its title, at the end
    body = [child.tag.rsplit("}", 1)[1] for child in document.element.body]
    assert body[-2:] == ["tbl", "sectPr"]
    rows = document.tables[0].rows
    assert [c.text for c in rows[0].cells] == ["指标", "2017年", "上年", "增减"]
    assert [c.text for c in rows[12].cells] == ["家政培训参与群众中的贫困妇女", "421人", "316人", "增长33.2%"]


def test_the_word_styles_are_those_of_an_official_document():
    document = Document(str(ROOT / "templates" / "公文.docx"))
    styles = document.styles

    def east_asia(name):
        return styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asia("公文标题") == "方正小标宋简体"  # Word shows 黑体 where it is missing (w:altName)
    assert east_asia("公文一级标题") == "黑体" and east_asia("公文表题") == "黑体"
    assert east_asia("公文正文") == east_asia("公文落款") == east_asia("公文待补充") == "仿宋_GB2312"
    heading = styles["公文一级标题"]
    assert heading.base_style.name == "公文正文" and heading.paragraph_format.keep_with_next
    assert heading.font.size.pt == 16
    signature = styles["公文落款"]
    assert signature.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    ind = signature.element.pPr.find(qn("w:ind"))
    assert (ind.get(qn("w:rightChars")), ind.get(qn("w:firstLineChars"))) == ("200", "0")  # 右空二字
    assert signature.paragraph_format.space_before.pt == pytest.approx(28.9)  # a blank line above the 落款
    assert signature.element.pPr.find(qn("w:contextualSpacing")) is not None  # …not between its lines
    assert str(styles["公文待补充"].font.color.rgb) == "C00000"
    assert styles["公文分页"].paragraph_format.page_break_before
    assert styles["公文表题"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_a_word_template_written_before_blocks_still_gets_every_text(totals, tmp_path):
    old = Document()
    for tag in ("{{ doc.title }}", "{%p for para in doc.paragraphs %}", "{{ para }}", "{%p endfor %}"):
        old.add_paragraph(tag)
    old.save(str(tmp_path / "旧模板.docx"))
    document = fs.draft(totals, template=str(tmp_path / "旧模板.docx"), date=DRAFTED)
    fs.write(document, tmp_path / "综述.docx")
    texts = [p.text for p in Document(str(tmp_path / "综述.docx")).paragraphs]
    assert texts[:3] == ["巾帼建新功 奋进新征程", OPENING, HEADINGS[0]]
    assert texts[-4:] == [PLAN, "青溪县妇联", "2018年1月15日", "青溪县2017年妇女工作主要数据"]


def test_the_opening_says_which_townships_did_not_report(tmp_path):
    shutil.copytree(SAMPLE / "2017", tmp_path / "2017")
    for month in ("03", "05"):
        (tmp_path / "2017" / month / f"大宁镇_2017-{month}.xlsx").unlink()
    report = fs.check([tmp_path], orgs=SAMPLE / "orgs.csv", period="2017")
    text = fs.draft(fs.aggregate(report, skip_invalid=True), date=DRAFTED).text
    assert text.split("\n\n")[2] == (
        "2017年，青溪县各级妇联组织团结带领广大妇女，围绕中心、服务大局，扎实推进各项工作，妇女儿童事业取得新进展。"
        "全县12个乡镇（街道）中11个报送了全年数据（大宁镇3月、5月未报送，相关数据未计入）。")


def test_without_a_region_the_signature_leaves_the_office_to_fill_in(totals):
    unnamed = fs.aggregate(fs.check([SAMPLE / "2017" / "01"], period="2017-01..2017-02"))
    assert unnamed.place is None
    text = fs.draft(unnamed, template="年度综述", date=DRAFTED).text
    assert "## ——本地区2017年1-2月妇女儿童工作综述" in text
    assert "::: 落款\n【此处填写发文机关】\n2018年1月15日\n:::" in text
    assert "【此处补充下一步工作打算】" in text and "新的一年" not in text


# ---------------------------------------------------------------- sections.csv


def test_every_indicator_of_the_default_catalog_is_in_one_sentence(totals):
    for part in review_parts(totals):
        ids = [ind.id for sentence in part["sentences"] for ind in sentence]
        assert sorted(ids) == sorted(ind.id for ind in part["indicators"])


def review_parts(totals):
    return fs.draft(totals, date=DRAFTED).context["parts"]


def test_the_office_changes_a_heading_its_opening_and_its_sentences(totals, tmp_path):
    (tmp_path / "sections.csv").write_text(
        "section,heading,opening,sentences\n"
        "思想引领,加强网上网下宣传,,lectures lecture_attendees|wechat_posts\n", encoding="utf-8")
    totals.templates = tmp_path
    try:
        document = fs.draft(totals, date=DRAFTED)
    finally:
        totals.templates = None
    blocks = document.text.split("\n\n")
    assert blocks[3:5] == ["### 一、加强网上网下宣传",
                           # each sentence where its first indicator stands in the catalog; the others three to one
                           "通过新媒体推送信息1799条，比上年增长9.0%。阅读量达30.4万次，在各级媒体刊发信息225条，"
                           "宣传先进妇女典型40例。开展专题宣讲65场，覆盖群众5000多人。"]
    assert blocks[6] == f"### 二、{HEADINGS[1][2:]}"  # the others keep the built-in rows
    assert tmp_path / "sections.csv" in template_files(None, tmp_path)  # an input: no output replaces it
    assert document.inputs[tmp_path / "sections.csv"] == "模板"


@pytest.mark.parametrize(("text", "message"), [
    ("section,opening\n思想引领,x\n", "栏目标题文件 {f} 缺少列：heading（应有 section,heading,opening,sentences）"),
    ("section,heading\n,标题\n", "栏目标题文件 {f} 第2行：缺少栏目（section）"),
    ("section,heading\n思想引领,甲\n思想引领,乙\n", "栏目标题文件 {f} 第3行：栏目“思想引领”重复"),
    ("section,heading,sentences\n思想引领,甲,wechat_posts trainees\n",
     "栏目标题文件 {f} 第2行：指标 trainees 不是指标目录中栏目“思想引领”的指标"),
    ("section,heading,sentences\n思想引领,甲,wechat_posts|wechat_posts\n", "栏目标题文件 {f} 第2行：指标 wechat_posts 写了两次"),
])
def test_a_broken_sections_file_is_one_chinese_line_naming_it(totals, tmp_path, text, message):
    (tmp_path / "sections.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_sections(totals.catalog, tmp_path)
    assert str(caught.value) == message.format(f=tmp_path / "sections.csv")


def test_indicators_no_row_groups_make_short_sentences(totals):
    catalog = totals.catalog
    members = catalog.in_section("创业就业")
    plan = sentence_plan(members, (("loan_applicants", "loan_amount"),))
    assert [[ind.id for ind in sentence] for sentence in plan] == [
        ["job_fairs", "jobs_offered", "job_intents"],
        ["housekeeping_events", "housekeeping_participants", "housekeeping_participants_poor"],
        ["trainings", "trainees", "trainees_poor"],  # a sub-item stays with the one before
        ["trainees_certified"], ["loan_applicants", "loan_amount"]]
    rates = sentence_plan(catalog.in_section("巾帼维权"), ())
    assert [[ind.id for ind in s] for s in rates] == [["legal_lectures", "legal_beneficiaries", "petitions"],
                                                      ["petitions_handled", "petition_handling_rate"]]


def test_the_readme_shows_the_draft_as_it_is_written(review):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = readme.split("## 起草综述和月报", 1)[1].split("```markdown\n", 1)[1].split("```", 1)[0]
    head, _, tail = excerpt.partition("\n…\n")
    assert review.text.startswith(head)
    assert tail.strip("\n") in review.text and review.text.index(tail.strip("\n")) > len(head)
