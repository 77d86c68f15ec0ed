"""Write templates/公文.docx: the Word template that `report -o FILE.docx` fills (docxtpl).

The layout follows GB/T 9704-2012 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm,
left 28 mm, right 26 mm (版心 156 × 225 mm); title 2号 方正小标宋简体, centred; body 3号
仿宋_GB2312 with a two-character first-line indent and 22 lines a page; headings (一、…)
3号 黑体; placeholders (【此处补充典型事例】) red; the 落款 right-aligned two characters in
below a blank line; the 附表 after a page break, its title centred in 黑体; tables 小四
仿宋_GB2312 with a bold header row; page numbers `— 1 —` in 4号 宋体, odd pages right
and even pages left, one character in.

Every format lives in a named style (公文标题, 公文副标题, 公文正文, 公文一级标题, 公文待补充,
公文落款, 公文分页, 公文表题, 公文表格文字, 公文表头, 公文表格数字, 公文页码, table style
公文表格), so a user restyles the report in Word or WPS by changing a style, then keeps
the file and passes it with `--template`. The fonts named are those of the standard;
each one is declared in the font table with a Windows font as w:altName (方正小标宋简体 →
黑体, 仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体), which Word uses on a machine that lacks the
公文 fonts.

The content is docxtpl tags over the context variable `doc` (title, subtitle and the blocks
in order; see docs/templates.md). The output is byte-for-byte deterministic (fixed
document properties, fixed zip timestamps):

    python scripts/make_word_template.py
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "templates" / "公文.docx"
STAMP = datetime(2024, 1, 1, 0, 0, 0)

# The standard's fonts, and the font Word uses where one is missing (w:altName).
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBTITLE_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
FALLBACKS = {TITLE_FONT: "黑体", SUBTITLE_FONT: "楷体", BODY_FONT: "仿宋"}
# w:font entries for the font table: charset 86 = GB2312; panose and family as Word records them.
FONT_TABLE = {
    TITLE_FONT: ("02000000000000000000", "script"),
    SUBTITLE_FONT: ("02010609030101010101", "modern"),
    BODY_FONT: ("02010609030101010101", "modern"),
    PAGE_NUMBER_FONT: ("02010600030101010101", "auto"),
    "黑体": ("02010609060101010101", "modern"),
    "楷体": ("02010609060101010101", "modern"),
    "仿宋": ("02010609060101010101", "modern"),
}

# 版心 225 mm high / 22 lines = 28.9 pt a line (exact, in twentieths of a point: 578).
BODY_LINE = Pt(28.9)
CHAR_CONDENSE = -5  # twentieths of a point: 28 characters a line
TEXT_WIDTH = Mm(210 - 28 - 26)  # 156 mm
TABLE_SIZE = 12  # 小四
ROW_HEIGHT = Mm(8)  # at least: rows breathe like the 28.9 pt body lines
FIRST_COLUMN_SHARE = 0.30  # 指标 names are long; the figures are short
PLACEHOLDER_RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_BLOCKS = (("heading", "公文一级标题"), ("caption", "公文表题"), ("placeholder", "公文待补充"))  # kind → style
# What may follow w:contextualSpacing in a w:pPr (the schema's order).
AFTER_CONTEXTUAL = ("w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_fonts(style, name: str) -> None:
    """Latin and East Asian font of a style. `font.name` sets only w:ascii/w:hAnsi;
    Chinese text is drawn with w:eastAsia, and theme fonts must not override it."""
    style.font.name = name
    rfonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:eastAsia"), name)


def first_line_chars(paragraph_format_owner, chars: int, size_pt: float) -> None:
    """First-line indent in characters (w:firstLineChars, what Word's 首行缩进 2 字符
    writes) plus the same in twips for programs that read only w:firstLine."""
    ind = paragraph_format_owner.element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn("w:firstLine"), str(int(chars * size_pt * 20)))
    ind.set(qn("w:firstLineChars"), str(chars * 100))


def paragraph_style(doc, name: str, font: str, size: float, *, align=None, line=None,
                    before: float = 0, after: float = 0, bold: bool = False, base: str = "Normal"):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    set_fonts(style, font)
    style.font.size = Pt(size)
    style.font.bold = bold
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is None:
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        fmt.line_spacing = line
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    return style


def defaults(doc) -> None:
    """Document defaults: 仿宋 3号, Chinese language, no space after paragraphs."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), BODY_FONT if attr != "w:cs" else "Times New Roman")
    rpr.find(qn("w:sz")).set(qn("w:val"), "32")
    rpr.find(qn("w:szCs")).set(qn("w:val"), "32")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT)
    normal.font.size = Pt(16)
    normal.paragraph_format.space_after = Pt(0)
    # Word picks East Asian theme fonts and line breaking by this language.
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def styles(doc) -> None:
    title = paragraph_style(doc, "公文标题", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER,
                            line=Pt(36), after=14.5)
    title.paragraph_format.keep_with_next = True
    subtitle = paragraph_style(doc, "公文副标题", SUBTITLE_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER,
                               line=BODY_LINE, after=14.5)
    subtitle.paragraph_format.keep_with_next = True
    body = paragraph_style(doc, "公文正文", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY, line=BODY_LINE)
    first_line_chars(body, 2, 16)
    # 28 characters a line: 156 mm / 28 = 15.79 pt a character, so 3号 (16 pt) is
    # condensed by 0.25 pt (w:spacing in twentieths of a point).
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_CONDENSE))
    body.element.get_or_add_rPr().insert_element_before(spacing, "w:w", "w:kern", "w:position", "w:sz")
    # 小四: with five columns a figure such as “增长10.2%” still fits on one line.
    cell = paragraph_style(doc, "公文表格文字", BODY_FONT, TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell.paragraph_format.widow_control = False
    header = paragraph_style(doc, "公文表头", BODY_FONT, TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                             bold=True, base="公文表格文字")
    header.paragraph_format.keep_with_next = True  # never a header alone at a page's foot
    paragraph_style(doc, "公文表格数字", BODY_FONT, TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
                    base="公文表格文字")
    paragraph_style(doc, "公文页码", PAGE_NUMBER_FONT, 14)
    # 结构层次序数 第一层（一、）: 3号黑体, indented like the body (GB/T 9704 7.3.3).
    heading = paragraph_style(doc, "公文一级标题", HEADING_FONT, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                              line=BODY_LINE, base="公文正文")
    heading.paragraph_format.keep_with_next = True
    # What only a person can write (【此处补充典型事例】): the body in red, never missed.
    placeholder = paragraph_style(doc, "公文待补充", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                                  line=BODY_LINE, base="公文正文")
    placeholder.font.color.rgb = PLACEHOLDER_RED
    # 落款: the office and the date, right-aligned two characters in, a blank line
    # above the first (contextual spacing: none between the two lines).
    signature = paragraph_style(doc, "公文落款", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT,
                                line=BODY_LINE, before=28.9, base="公文正文")
    first_line_chars(signature, 0, 16)  # not the body's two characters
    signature.element.get_or_add_pPr().get_or_add_ind().set(qn("w:right"), str(2 * 16 * 20))
    signature.element.pPr.ind.set(qn("w:rightChars"), "200")
    signature.element.get_or_add_pPr().insert_element_before(OxmlElement("w:contextualSpacing"), *AFTER_CONTEXTUAL)
    # 附表 title, centred, on a page of its own after a break.
    caption = paragraph_style(doc, "公文表题", HEADING_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER,
                              line=BODY_LINE, after=14.5, base="公文正文")
    first_line_chars(caption, 0, 16)
    caption.paragraph_format.keep_with_next = True
    page_break = paragraph_style(doc, "公文分页", BODY_FONT, 1, line=Pt(1))
    page_break.paragraph_format.page_break_before = True
    table = doc.styles.add_style("公文表格", WD_STYLE_TYPE.TABLE)
    table.base_style = doc.styles["Table Grid"]
    # Borders and cell margins stated in the style itself (not only inherited from
    # Table Grid), so every program draws the same grid: 0.5 pt single lines.
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table.element.append(parse_xml(
        f'<w:tblPr {nsdecls("w")}><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        '</w:tblPr>'))


def font_table(doc) -> None:
    """Declare the fonts with their GB2312 charset and a Windows fallback (w:altName)."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for font in root.findall(qn("w:font")):
        if font.get(qn("w:name")) in FONT_TABLE:
            root.remove(font)
    for name, (panose, family) in FONT_TABLE.items():
        alt = f'<w:altName w:val="{FALLBACKS[name]}"/>' if name in FALLBACKS else ""
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{name}">{alt}<w:panose1 w:val="{panose}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="variable"/></w:font>'))
    part._blob = etree_bytes(root)


def etree_bytes(element) -> bytes:
    from lxml import etree

    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def page(doc) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # The page number's dash sits about 7 mm below the 版心 (GB/T 9704 7.5).
    section.footer_distance = Mm(25)
    doc.settings.odd_and_even_pages_header_footer = True
    page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def page_number(footer, align) -> None:
    """`— 1 —` with a PAGE field; odd pages right, even pages left, one character in."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = "公文页码"
    paragraph.alignment = align
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    side = "right" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left"
    ind.set(qn(f"w:{side}"), "280")
    ind.set(qn(f"w:{side}Chars"), "100")
    paragraph.add_run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text
    paragraph.add_run(" —")


def tag(doc, text: str, style: str = "公文正文"):
    """One paragraph holding one tag, written as a single run so docxtpl finds it whole."""
    return doc.add_paragraph(text, style=style)


def cell_text(cell, text: str, style: str) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(text)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def body(doc) -> None:
    """Title and subtitle, then `doc.blocks` in order, each kind in its style: headings
    (一、…), captions, paragraphs, placeholders (【…】), the 落款's lines, page breaks
    and tables."""
    tag(doc, "{{ doc.title }}", "公文标题")
    tag(doc, "{%p if doc.subtitle %}", "公文副标题")
    tag(doc, "{{ doc.subtitle }}", "公文副标题")
    tag(doc, "{%p endif %}", "公文副标题")
    tag(doc, "{%p for block in doc.blocks %}")
    for index, (kind, style) in enumerate(TEXT_BLOCKS):
        tag(doc, f'{{%p {"elif" if index else "if"} block.kind == "{kind}" %}}')
        tag(doc, "{{ block.text }}", style)
    tag(doc, '{%p elif block.kind == "signature" %}')
    for text in ("{%p for line in block.lines %}", "{{ line }}", "{%p endfor %}"):
        tag(doc, text, "公文落款")
    tag(doc, '{%p elif block.kind == "break" %}')
    tag(doc, "", "公文分页")
    tag(doc, '{%p elif block.kind == "table" %}')
    table(doc)
    tag(doc, "{%p else %}")
    tag(doc, "{{ block.text }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def table(doc) -> None:
    """First column fixed (the indicator), the others a column loop: the table has as
    many columns as the block's header (2 to 5). Each row of the template holds one tag
    cell each side of the repeated cell; docxtpl drops those cells and fits the grid."""
    t = doc.add_table(rows=4, cols=4)
    t.style = doc.styles["公文表格"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    first = int(TEXT_WIDTH * FIRST_COLUMN_SHARE)
    widths = [first] + [int((TEXT_WIDTH - first) / 3)] * 3
    tbl_pr = t._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(TEXT_WIDTH.twips))
    for col, width in zip(t.columns, widths):
        col.width = width
        for c in col.cells:
            c.width = width
    rows = [
        ("{{ block.header[0] }}", "{%tc for h in block.header[1:] %}", "{{ h }}", "{%tc endfor %}"),
        ("{%tr for row in block.rows %}", "", "", ""),
        ("{{ row[0] }}", "{%tc for cell in row[1:] %}", "{{ cell }}", "{%tc endfor %}"),
        ("{%tr endfor %}", "", "", ""),
    ]
    for r, texts in enumerate(rows):
        header = r == 0
        for c, text in enumerate(texts):
            style = "公文表头" if header else ("公文表格文字" if c == 0 else "公文表格数字")
            cell_text(t.cell(r, c), text, style)
    for r, row in enumerate(t.rows):
        row.height = ROW_HEIGHT
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.insert(0, OxmlElement("w:cantSplit"))  # a row is never cut across pages
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # the header repeats on every page


def properties(doc) -> None:
    core = doc.core_properties
    # docxtpl renders these too: the output's document title is the report's title.
    core.title = "{{ doc.title | safe }}"
    core.subject = ""
    core.author = "fulian-stats"
    core.last_modified_by = "fulian-stats"
    core.comments = "fulian-stats 按公文格式（GB/T 9704-2012）生成"
    core.keywords = ""
    core.category = ""
    core.revision = 1
    core.created = core.modified = core.last_printed = STAMP
    core.language = "zh-CN"


APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><Application>fulian-stats</Application><DocSecurity>0</DocSecurity>"
    "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def drop_legacy_parts(doc) -> None:
    """python-docx's default template carries Word 2010's stylesWithEffects.xml (a copy of
    the styles that would not have ours; Word reads styles.xml), the thumbnail of an
    empty page, and app.xml statistics of another document."""
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    package_rels = doc.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rid)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = APP_XML.encode("utf-8")


def build() -> bytes:
    doc = Document()
    # The default template's body has no content; keep its section properties only.
    for element in list(doc.element.body):
        if element.tag != qn("w:sectPr"):
            doc.element.body.remove(element)
    defaults(doc)
    styles(doc)
    font_table(doc)
    drop_legacy_parts(doc)
    page(doc)
    body(doc)
    properties(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return stable_zip(buffer.getvalue())


def stable_zip(data: bytes) -> bytes:
    """Same parts, same order, fixed timestamps: re-running gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> None:
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_bytes(build())
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
