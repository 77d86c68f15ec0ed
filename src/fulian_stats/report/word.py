"""Word output: fill a .docx template written with docxtpl's Jinja tags.

The template receives the report's template context plus `doc` (title, subtitle,
paragraphs, table; see render.parse_document). The built-in template is 公文.docx
(GB/T 9704 layout, made by scripts/make_word_template.py); users restyle a copy in Word
or WPS and pass it with `--template FILE.docx`.

Values are XML-escaped (autoescape), so data with `<`, `&` or quotes cannot break the
document; characters XML cannot hold (control characters from a CSV) are dropped.
The result is written to a temporary file beside the target and renamed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from fulian_stats.errors import FulianError, UsageError
from fulian_stats.output.files import atomic_path
from fulian_stats.report.render import templates_dir

WORD_TEMPLATE = "公文.docx"
# Not allowed in XML 1.0; \a and \f would also become paragraph/page breaks in docxtpl.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def default_word_template() -> Path:
    return templates_dir() / WORD_TEMPLATE


def _xml_safe(value):
    """Strings, and the strings inside dicts, lists and tuples, without XML-illegal
    characters. Other objects (mappings of figures, functions) pass unchanged."""
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("", value)
    if type(value) is dict:
        return {key: _xml_safe(item) for key, item in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_xml_safe(item) for item in value)
    return value


def _undefined_name(message: str) -> str:
    """The name in jinja2's UndefinedError messages: "'foo' is undefined",
    "'dict object' has no attribute 'foo'", "... has no element 'foo'"."""
    for pattern in (r"has no (?:attribute|element) '([^']+)'", r"'([^']+)' is undefined"):
        found = re.search(pattern, message)
        if found:
            return found.group(1)
    return message


def _near(exc) -> str:
    """The template text around a syntax error (docxtpl attaches it as docx_context)."""
    lines = [line.strip() for line in getattr(exc, "docx_context", None) or [] if line.strip()]
    if not lines:
        return ""
    text = lines[len(lines) // 2] if len(lines) > 2 else lines[0]
    return f"（出错处附近：“{text[:40]}”）"


def _template_error(exc: Exception, name: str) -> FulianError:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, UndefinedError):
        return FulianError(f"模板 {name} 中的“{_undefined_name(str(exc.message or exc))}”未定义")
    if isinstance(exc, TemplateSyntaxError):
        return FulianError(f"模板 {name} 中的标签有语法错误：{exc.message}{_near(exc)}")
    if isinstance(exc, SecurityError):
        return FulianError(f"模板 {name} 试图执行不允许的操作：{exc}")
    if isinstance(exc, FulianError):
        return FulianError(f"模板 {name}：{exc}")
    return FulianError(f"模板 {name} 填充出错：{type(exc).__name__}: {exc}".replace("\n", " "))


def _fit_columns(tree, original: list[list[float]]) -> None:
    """After docxtpl has fitted a table's grid to a column loop ({%tc for %}), give the
    first column (the labels) its share of the width in the template and the others equal
    parts; then make every cell's width (w:tcW) that of its grid columns, so Word, WPS and
    LibreOffice draw the same table. Tables whose column count did not change keep their
    grid."""
    from docx.oxml.ns import qn

    for table, widths in zip(tree.iter(qn("w:tbl")), original):
        grid = table.find(qn("w:tblGrid"))
        if grid is None:
            continue
        cols = grid.findall(qn("w:gridCol"))
        if len(cols) != len(widths) and len(cols) >= 2 and len(widths) >= 2 and all(widths):
            total = sum(widths)
            first = min(widths[0], total / 2)
            rest = (total - first) / (len(cols) - 1)
            for index, col in enumerate(cols):
                col.set(qn("w:w"), str(int(first if index == 0 else rest)))
        sizes = [int(float(col.get(qn("w:w"), "0"))) for col in cols]
        for row in table.findall(qn("w:tr")):
            position = 0
            for cell in row.findall(qn("w:tc")):
                props = cell.find(qn("w:tcPr"))
                span = props.find(qn("w:gridSpan")) if props is not None else None
                count = int(span.get(qn("w:val"))) if span is not None else 1
                width = props.find(qn("w:tcW")) if props is not None else None
                if width is not None and width.get(qn("w:type"), "dxa") == "dxa" and position + count <= len(sizes):
                    width.set(qn("w:w"), str(sum(sizes[position:position + count])))
                position += count


def _docx_template(path: Path):
    """A DocxTemplate whose table fitting also sets the widths (docxtpl is imported only
    here: `fulian-stats --help` must stay fast)."""
    from docx.oxml.ns import qn
    from docxtpl import DocxTemplate
    from lxml import etree

    class Template(DocxTemplate):
        def fix_tables(self, xml):
            before = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
            original = []
            for table in before.iter(qn("w:tbl")):
                grid = table.find(qn("w:tblGrid"))
                cols = grid.findall(qn("w:gridCol")) if grid is not None else []
                original.append([float(col.get(qn("w:w"), "0")) for col in cols])
            tree = super().fix_tables(xml)
            _fit_columns(tree, original)
            return tree

    return Template(path)


def render_docx(template: Path, context: dict, jinja_env, output: Path) -> None:
    """Fill the Word `template` with `context` using `jinja_env` and write `output`.

    Raises FulianError (one Chinese line naming the template) when the template is not
    a .docx file or its tags fail. docxtpl switches `jinja_env.autoescape` on.
    """
    template = Path(template)
    name = template.name
    if not template.is_file():
        raise UsageError(f"找不到 Word 模板：{template}")
    tpl = _docx_template(template)
    try:
        tpl.init_docx()
    except Exception as exc:  # not a zip, not a Word document, broken XML
        raise FulianError(f"模板 {name} 不是有效的 Word 文档（.docx）：{type(exc).__name__}") from exc
    safe = {key: _xml_safe(value) for key, value in context.items()}
    try:
        tpl.render(safe, jinja_env=jinja_env, autoescape=True)
    except Exception as exc:  # a tag that fails in the user's template: one line, no traceback
        raise _template_error(exc, name) from exc
    # A new document: its own dates, not the template's.
    core = tpl.docx.core_properties
    core.created = core.modified = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    core.revision = 1
    with atomic_path(output) as temp:
        tpl.save(temp)
