"""Rendering: Chinese report drafts (年度综述, 月报) from aggregated totals with Jinja2.

Templates are Markdown-like text: `# 标题`, `## ——副标题`, paragraphs separated by
blank lines, pipe tables. One text template serves every format: .md/.txt as is,
.html rendered with autoescape and wrapped in tags, .docx through a Word template
(docxtpl) that receives the parsed document as `doc`. Every template, the user's
too, runs in Jinja's sandbox with StrictUndefined.
"""

from __future__ import annotations

import datetime
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from fulian_stats.aggregate.compare import Comparison
from fulian_stats.catalog import Catalog
from fulian_stats.errors import FulianError, UsageError
from fulian_stats.report.context import SECTIONS_FILE, build_context, load_sections, office_of
from fulian_stats.report.numbers import FILTERS

BUILTIN_TEMPLATES = {"年度综述": "年度综述.md.j2", "月报": "月报.md.j2"}
def templates_dir() -> Path:
    """The built-in templates: inside the installed package, or the repo's `templates/`."""
    from importlib import resources

    packaged = Path(str(resources.files("fulian_stats") / "templates"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def make_env(folder: Path | None, autoescape: bool):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=FileSystemLoader([str(p) for p in (folder, templates_dir()) if p is not None]),
        undefined=StrictUndefined, autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def resolve_template(name: str | None, default: str) -> tuple[Path | None, str]:
    """(folder to load from or None for built-ins, template file name) for --template."""
    name = name or default
    if name in BUILTIN_TEMPLATES:
        return None, BUILTIN_TEMPLATES[name]
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"找不到模板：{name}（内置模板：{'、'.join(BUILTIN_TEMPLATES)}，或给出 .j2/.docx 文件路径）")
    return path.parent.resolve(), path.name


def template_error(exc: Exception, template: str) -> FulianError:
    """One Chinese line naming the template line, for any failure inside a template."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    line = getattr(exc, "lineno", None)
    if line is None:
        frames = [(f.f_code.co_filename, n) for f, n in traceback.walk_tb(exc.__traceback__)]
        line = next((n for name, n in reversed(frames) if name.endswith(template)), None)
    where = f"模板 {template}" + (f" 第{line}行" if line else "")
    if isinstance(exc, TemplateSyntaxError):
        return FulianError(f"{where}语法错误：{exc.message}")
    if isinstance(exc, FulianError):  # already one Chinese line: an unknown id, a filter's bad argument
        return FulianError(f"{where}：{exc}")
    if isinstance(exc, UndefinedError):
        name = str(exc.message or "").split("'")[-2] if "'" in str(exc.message) else str(exc.message)
        return FulianError(f"{where}：“{name}”未定义（可用的名称见 docs/templates.md）")
    if isinstance(exc, SecurityError):
        return FulianError(f"{where}：模板试图执行不允许的操作（{exc}）")
    return FulianError(f"{where}出错：{type(exc).__name__}: {exc}")


def render_text(folder: Path | None, name: str, context: dict, autoescape: bool = False) -> str:
    from jinja2 import TemplateError

    try:
        return make_env(folder, autoescape).get_template(name).render(context)
    except (TemplateError, FulianError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise template_error(exc, name) from exc


SIGNATURE_FENCE = "::: 落款"  # opens the 落款 (issuing office, date); a line `:::` closes it


def _kind(line: str) -> str:
    if line.startswith("#### "):
        return "caption"
    if line.startswith("### "):
        return "heading"
    if line.startswith("【") and line.endswith("】") and line.count("【") == 1:
        return "placeholder"
    if len(line) >= 3 and set(line) == {"-"}:
        return "break"
    return "paragraph"


def parse_document(text: str) -> dict:
    """The rendered text as a document for Word and HTML (docs/templates.md, `doc`):
    title (`# `), subtitle (`## `), and `blocks` in order: headings (`### 一、…`),
    captions (`#### `), paragraphs, placeholders (a line `【…】`), the 落款 (the lines
    between `::: 落款` and `:::`), page breaks (`---`) and tables (`|` lines). `paragraphs`
    (every text in order, the 落款's lines too) and `table` (the first) serve templates
    written before blocks."""
    doc = {"title": "", "subtitle": "", "blocks": [], "paragraphs": [], "table": None}
    blocks = doc["blocks"]
    signature = None  # the 落款's lines while inside its fence
    for block in text.split("\n"):
        line = block.strip()
        if not line:
            continue
        if signature is not None:
            if line == ":::":
                signature = None
            else:
                signature.append(line)
                doc["paragraphs"].append(line)
        elif line.replace(" ", "") == SIGNATURE_FENCE.replace(" ", ""):
            signature = []
            blocks.append({"kind": "signature", "lines": signature})
        elif line.startswith("## ") and not doc["subtitle"]:
            doc["subtitle"] = line[3:].strip()
        elif line.startswith("# ") and not doc["title"]:
            doc["title"] = line[2:].strip()
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if blocks and blocks[-1]["kind"] == "table":
                table = blocks[-1]
            else:
                table = {"kind": "table", "header": None, "rows": []}
                blocks.append(table)
            if all(set(c) <= set("-: ") for c in cells):
                continue  # the |---|---| line
            if table["header"] is None:
                table["header"] = cells
            else:
                table["rows"].append(cells)
        else:
            kind = _kind(line)
            if kind == "break":
                blocks.append({"kind": kind})
                continue
            text_of = line.lstrip("#").strip() if kind in ("heading", "caption") else line
            blocks.append({"kind": kind, "text": text_of})
            doc["paragraphs"].append(text_of)
    doc["blocks"] = [b for b in blocks if b["kind"] != "table" or b["header"] is not None]
    doc["table"] = next(({"header": b["header"], "rows": b["rows"]} for b in doc["blocks"] if b["kind"] == "table"), None)
    return doc


HTML_STYLE = (
    "body{font-family:'FangSong','仿宋',serif;font-size:16pt;line-height:1.8;max-width:48em;margin:2em auto}"
    "h1{font-family:'SimHei','黑体',sans-serif;text-align:center}.subtitle{text-align:center;"
    "font-family:'KaiTi','楷体',serif}p{text-indent:2em}"
    "h2{font-family:'SimHei','黑体',sans-serif;font-size:16pt;font-weight:normal;text-indent:2em;margin:0}"
    "h3{font-family:'SimHei','黑体',sans-serif;font-size:16pt;font-weight:normal;text-align:center}"
    ".placeholder{color:#c00}.signature{text-align:right;margin:1.8em 2em 0 0}.signature p{margin:0;text-indent:0}"
    "hr{border:none;page-break-after:always;break-after:page}"
    "table{border-collapse:collapse;font-size:12pt;margin:0 auto}"
    "td,th{border:1px solid #333;padding:2px 8px}td:nth-child(n+2){text-align:center}"
)


_HTML_TEXT = {"heading": "<h2>{}</h2>", "caption": "<h3>{}</h3>", "placeholder": '<p class="placeholder">{}</p>',
              "paragraph": "<p>{}</p>"}


def _html_block(block: dict) -> str:
    kind = block["kind"]
    if kind in _HTML_TEXT:
        return _HTML_TEXT[kind].format(block["text"])
    if kind == "signature":
        return '<div class="signature">' + "".join(f"<p>{line}</p>" for line in block["lines"]) + "</div>"
    if kind == "break":
        return "<hr>"
    if kind == "table":
        head = "".join(f"<th>{c}</th>" for c in block["header"])
        rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in block["rows"])
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    raise ValueError(f"unknown block kind {kind!r}")


def to_html(doc: dict, title: str) -> str:
    """A standalone page. The text was rendered with autoescape, so it is already safe
    HTML; only the page title (data too) is escaped here."""
    from markupsafe import escape

    parts = [f"<h1>{doc['title']}</h1>"] if doc["title"] else []
    if doc["subtitle"]:
        parts.append(f'<p class="subtitle">{doc["subtitle"]}</p>')
    parts += [_html_block(block) for block in doc["blocks"]]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{HTML_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


REPORT_SUFFIXES = (".md", ".txt", ".html", ".docx")


def locate_template(name: str, folder: Path | None) -> str:
    """`--template NAME` found in the office's own templates folder (fulian.toml's
    `templates`), where a `年度综述.md.j2` also overrides the built-in one; else NAME."""
    if folder is None or Path(name).is_file():
        return name
    for candidate in (name, f"{name}.md.j2", f"{name}.j2", f"{name}.docx"):
        if (Path(folder) / candidate).is_file():
            return str(Path(folder) / candidate)
    return name


def template_files(template: str | None, folder: Path | None) -> list[Path]:
    """The user's own template files a report may read: `--template FILE`, and the
    office's versions of the built-in ones (a .docx also reads the text template)."""
    names = [template] if template and template not in BUILTIN_TEMPLATES else []
    if folder is not None and (not names or template.lower().endswith(".docx")):
        names += list(BUILTIN_TEMPLATES)
    found = [Path(locate_template(name, folder)) for name in names]
    if folder is not None:
        found.append(Path(folder) / SECTIONS_FILE)  # the office's section headings
    return [path for path in found if path.is_file()]


def check_report_suffix(suffix: str) -> str:
    """The output suffix, or a usage error before any file is read."""
    if suffix not in REPORT_SUFFIXES:
        raise UsageError(f"不支持的报告格式：{suffix}（可用 {'、'.join(REPORT_SUFFIXES)}）")
    return suffix


@dataclass
class Document:
    """A report draft: the template context and the templates that write it out. The
    text template serves every format (.md/.txt as is, .html rendered again with
    autoescape, .docx through a Word template that receives it parsed as `doc`)."""

    context: dict
    folder: Path | None  # where the text template is (None: the built-in ones)
    name: str  # the text template's file name
    word: Path | None = None  # the Word template given with --template, else the built-in one
    inputs: dict = field(default_factory=dict, repr=False)  # every file the run read → its role: never an output

    @cached_property
    def text(self) -> str:
        """The draft as Markdown-like text."""
        return render_text(self.folder, self.name, self.context)

    def render(self, suffix: str) -> str:
        """The draft as .md, .txt or .html text."""
        check_report_suffix(suffix)
        if suffix == ".docx":
            raise UsageError("Word 格式请用 write 写入文件")
        if suffix != ".html":
            return self.text
        doc = parse_document(render_text(self.folder, self.name, self.context, autoescape=True))
        return to_html(doc, doc["title"] or f"{self.context['region']}{self.context['period'].label}")

    def word_context(self) -> dict:
        """The context of a Word template: the draft's, with the text parsed as `doc`."""
        return {**self.context, "doc": parse_document(self.text)}


def draft(data: Comparison, catalog: Catalog, region: str | None, template: str | None = None, theme: str | None = None,
          template_dir: Path | None = None, date: datetime.date | None = None) -> Document:
    """The report of `data` by a built-in template (年度综述 for a year or longer, 月报
    for a month), the office's own in `template_dir`, or a .j2 or .docx file. `region`
    None: nobody said which (the text says 本地区 and the 落款 leaves the office to
    fill in); `date`: the date of drafting, today by default. The section headings are
    the built-in ones, rows of the office's `sections.csv` in `template_dir` replacing theirs."""
    default = "年度综述" if not data.current.period.is_month else "月报"
    template = locate_template(template or default, template_dir)
    word = None
    if template.lower().endswith(".docx"):
        # The Word file gets `doc` from the default text (the office's own, if it has one).
        word = Path(template)
        if not word.is_file():
            raise UsageError(f"找不到模板：{template}")
        template = locate_template(default, template_dir)
    folder, name = resolve_template(template, default)
    context = build_context(data, catalog, region or "本地区", theme, office_of(region), date,
                            load_sections(catalog, template_dir))
    return Document(context, folder, name, word)
