"""Word output: the built-in 公文.docx filled by docxtpl, read back with python-docx."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import jinja2
import pytest
from docx import Document
from docx.oxml.ns import qn

from fulian_stats.report.word import default_word_template, render_docx
from fulian_stats.report.render import templates_dir
from fulian_stats.errors import FulianError

ROOT = Path(__file__).resolve().parent.parent
HEADER5 = ["指标", "单位", "本年", "上年", "增减"]
ROWS5 = [
    ["新媒体推送信息", "条", "1799", "1632", "增长10.2%"],
    ["家政培训进村（社区）活动参与群众", "人", "1989", "1800", "增长10.5%"],
    ["获上级补助资金", "万元", "30", "40", "下降25.0%"],
]
PARAGRAPHS = [
    "2017年，青溪县妇联团结带领广大妇女，围绕中心、服务大局，妇女儿童事业取得新进展。",
    "坚持把思想政治引领放在首位，推送新媒体信息1799条，阅读量达22.12万次，比上年增长10.2%。",
    "含特殊字符：<b>&\"A&B\" 1<2 'x'",
]


def make_doc(title, subtitle, paragraphs, table=None):
    """`doc` as render.parse_document makes it: paragraph blocks, then the table."""
    blocks = [{"kind": "paragraph", "text": text} for text in paragraphs]
    if table is not None:
        blocks.append({"kind": "table", **table})
    return {"title": title, "subtitle": subtitle, "blocks": blocks, "paragraphs": list(paragraphs), "table": table}


def sample_doc(table="5", title="巾帼建新功 奋进新征程", subtitle="——青溪县2017年妇女儿童工作综述", paragraphs=PARAGRAPHS,
               first_cell=None):
    rows = [list(r) for r in ROWS5]
    if first_cell is not None:
        rows[0][0] = first_cell
    found = None
    if table == "5":
        found = {"header": list(HEADER5), "rows": rows}
    elif table == "3":
        keep = (0, 2, 4)
        found = {"header": [HEADER5[i] for i in keep], "rows": [[r[i] for i in keep] for r in rows]}
    return make_doc(title, subtitle, list(paragraphs), found)


def render(tmp_path, doc, env=None, name="out.docx"):
    out = tmp_path / name
    render_docx(default_word_template(), {"doc": doc, "region": "青溪县"}, env or jinja2.Environment(), out)
    return Document(str(out))


def east_asia_font(paragraph) -> str | None:
    """The East Asian font in force: the run's own, else the style chain's."""
    for run in paragraph.runs:
        fonts = run._r.rPr.rFonts if run._r.rPr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
    style = paragraph.style
    while style is not None:
        rpr = style.element.rPr
        if rpr is not None and rpr.rFonts is not None and rpr.rFonts.get(qn("w:eastAsia")):
            return rpr.rFonts.get(qn("w:eastAsia"))
        style = style.base_style
    return None


def table_text(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_default_template_is_found():
    assert default_word_template().is_file()
    assert default_word_template().parent == templates_dir()
    assert (templates_dir() / "年度综述.md.j2").is_file()


def test_title_paragraphs_and_table_with_five_columns(tmp_path):
    document = render(tmp_path, sample_doc("5"))
    paragraphs = document.paragraphs
    assert paragraphs[0].text == "巾帼建新功 奋进新征程"
    assert paragraphs[0].style.name == "公文标题"
    assert paragraphs[1].text == "——青溪县2017年妇女儿童工作综述"
    assert paragraphs[1].style.name == "公文副标题"
    body = paragraphs[2:]
    assert [p.text for p in body] == PARAGRAPHS  # in order, nothing else (the tag paragraphs are gone)
    for paragraph in body:
        assert paragraph.style.name == "公文正文"
        assert east_asia_font(paragraph) == "仿宋_GB2312"
    assert east_asia_font(paragraphs[0]) == "方正小标宋简体"
    assert east_asia_font(paragraphs[1]) == "楷体_GB2312"
    assert len(document.tables) == 1
    table = document.tables[0]
    assert table_text(table) == [HEADER5, *ROWS5]
    assert table.style.name == "公文表格"
    grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
    assert len(grid) == 5
    # every cell as wide as its grid column, and the table as wide as the text
    widths = [int(col.get(qn("w:w"))) for col in grid]
    for row in table.rows:
        assert [int(c._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for c in row.cells] == widths
    assert abs(sum(widths) - 8844) <= 5
    assert all(c.paragraphs[0].style.name == "公文表头" for c in table.rows[0].cells)
    assert table.rows[0].cells[0].paragraphs[0].style.font.bold is True


def test_three_columns(tmp_path):
    document = render(tmp_path, sample_doc("3"))
    table = document.tables[0]
    assert table_text(table) == [["指标", "本年", "增减"]] + [[r[0], r[2], r[4]] for r in ROWS5]
    assert len(table._tbl.tblGrid.findall(qn("w:gridCol"))) == 3


def test_without_table_and_subtitle(tmp_path):
    document = render(tmp_path, sample_doc(None, subtitle=""))
    assert document.tables == []
    assert [p.text for p in document.paragraphs] == ["巾帼建新功 奋进新征程", *PARAGRAPHS]


def test_markup_characters_are_text(tmp_path):
    doc = sample_doc("5", title="A&B <综述>", paragraphs=[*PARAGRAPHS, "控制字符\x01\x0c已去掉"], first_cell="<i>&amp;\"")
    document = render(tmp_path, doc)
    assert document.paragraphs[0].text == "A&B <综述>"
    assert PARAGRAPHS[2] in [p.text for p in document.paragraphs]
    assert document.paragraphs[-1].text == "控制字符已去掉"
    assert document.tables[0].rows[1].cells[0].text == "<i>&amp;\""
    assert document.core_properties.title == "A&B <综述>"  # docxtpl fills the properties too


def test_page_layout_and_page_numbers(tmp_path):
    document = render(tmp_path, sample_doc("5"))
    section = document.sections[0]
    for value, expected in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                            (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert abs(value.mm - expected) <= 0.5
    body = document.styles["公文正文"]
    assert body.font.size.pt == 16
    assert abs(body.paragraph_format.line_spacing.pt - 28.9) < 0.1
    ind = body.element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert document.styles["公文标题"].font.size.pt == 22
    assert document.styles["公文副标题"].font.size.pt == 16
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
        assert footer.paragraphs[0].style.name == "公文页码"


def test_font_table_declares_fallbacks():
    with zipfile.ZipFile(default_word_template()) as package:
        fonts = package.read("word/fontTable.xml").decode("utf-8")
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in fonts
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="黑体"/>' in fonts


def test_written_atomically(tmp_path):
    render(tmp_path, sample_doc("5"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.docx"]
    with pytest.raises(FulianError):
        render_docx(default_word_template(), {"doc": sample_doc("5")}, jinja2.Environment(),
                    tmp_path / "no-such-folder" / "out.docx")


def word_file(path: Path, text: str) -> Path:
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def test_undefined_name_is_one_chinese_line(tmp_path):
    template = word_file(tmp_path / "我的模板.docx", "{{ nope.x }}")
    with pytest.raises(FulianError) as caught:
        render_docx(template, {"doc": sample_doc("5")}, jinja2.Environment(), tmp_path / "out.docx")
    assert str(caught.value) == "模板 我的模板.docx 中的“nope”未定义"
    assert not (tmp_path / "out.docx").exists()


def test_missing_attribute_names_it(tmp_path):
    template = word_file(tmp_path / "t.docx", "{{ doc.nope }}")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(FulianError, match="模板 t.docx 中的“nope”未定义"):
        render_docx(template, {"doc": sample_doc("5")}, env, tmp_path / "out.docx")


def test_syntax_error_names_template(tmp_path):
    template = word_file(tmp_path / "t.docx", "{% for x in %}")
    with pytest.raises(FulianError) as caught:
        render_docx(template, {"doc": sample_doc("5")}, jinja2.Environment(), tmp_path / "out.docx")
    assert str(caught.value).startswith("模板 t.docx 中的标签有语法错误")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_not_a_docx(tmp_path, content):
    template = tmp_path / "坏模板.docx"
    template.write_bytes(content)
    with pytest.raises(FulianError, match="模板 坏模板.docx 不是有效的 Word 文档"):
        render_docx(template, {"doc": sample_doc("5")}, jinja2.Environment(), tmp_path / "out.docx")


def test_zip_that_is_not_word(tmp_path):
    template = tmp_path / "x.docx"
    with zipfile.ZipFile(template, "w") as package:
        package.writestr("hello.txt", "hi")
    with pytest.raises(FulianError, match="不是有效的 Word 文档"):
        render_docx(template, {"doc": sample_doc("5")}, jinja2.Environment(), tmp_path / "out.docx")


def test_missing_template(tmp_path):
    with pytest.raises(FulianError, match="找不到"):
        render_docx(tmp_path / "none.docx", {"doc": sample_doc("5")}, jinja2.Environment(), tmp_path / "o.docx")


def test_with_the_report_environment(tmp_path):
    """The CLI's environment: sandboxed, StrictUndefined, trim_blocks, with filters."""
    render_module = pytest.importorskip("fulian_stats.report.render")
    make_env = getattr(render_module, "make_env", None)
    if make_env is None:
        pytest.skip("render.make_env not available")
    document = render(tmp_path, sample_doc("5"), env=make_env(None, autoescape=True))
    assert [p.text for p in document.paragraphs[2:]] == PARAGRAPHS
    assert table_text(document.tables[0]) == [HEADER5, *ROWS5]


def test_template_script_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("make_word_template", ROOT / "scripts" / "make_word_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    first, second = module.build(), module.build()
    assert first == second
    assert first == (ROOT / "templates" / "公文.docx").read_bytes(), "run scripts/make_word_template.py"
