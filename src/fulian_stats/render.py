"""Rendering: Chinese report drafts (年度综述, 月报) from aggregated totals with Jinja2.

Templates are Markdown-like text: `# 标题`, `## ——副标题`, paragraphs separated by
blank lines, pipe tables. One text template serves every format: .md/.txt as is,
.html rendered with autoescape and wrapped in tags, .docx through a Word template
(docxtpl) that receives the parsed document as `doc`. Every template, the user's
too, runs in Jinja's sandbox with StrictUndefined.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from pathlib import Path

from fulian_stats.aggregate import Comparison
from fulian_stats.catalog import Catalog
from fulian_stats.cnnum import FILTERS
from fulian_stats.errors import FulianError, UsageError
from fulian_stats.periods import Period

BUILTIN_TEMPLATES = {"年度综述": "年度综述.md.j2", "月报": "月报.md.j2"}
LEADER_MIN_ORGS = 3  # naming the org that led means little among two
LEADER_MIN_SHARE = 0.3  # …or when it did not stand out: at least 30%,
LEADER_OVER_EQUAL = 2  # …and at least twice an equal share of the orgs that reported
LEADER_MIN_TOTAL = 10  # …or of a handful of things


class TemplateNameError(FulianError):
    """A template asked for an indicator that is not in the catalog."""


def templates_dir() -> Path:
    """The built-in templates: inside the installed package, or the repo's `templates/`."""
    from importlib import resources

    packaged = Path(str(resources.files("fulian_stats") / "templates"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


class IndicatorValues(Mapping):
    """`v.trainees` or `v["trainees"]`: the value, None when nothing was reported, and an
    error naming the indicator when the catalog has no such id."""

    def __init__(self, values: dict[str, float], catalog: Catalog):
        self._values = values
        self._catalog = catalog

    def __getitem__(self, key: str):
        if key not in self._catalog.by_id:
            raise TemplateNameError(f"模板中用到了指标目录中没有的指标“{key}”")
        return self._values.get(key)

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self):
        return iter(self._catalog.by_id)

    def __len__(self) -> int:
        return len(self._catalog.by_id)


def _totals(result) -> dict[str, float]:
    if result is None:
        return {}
    return {r["indicator"]: r["value"] for r in result.rows
            if r["org"] == result.region and r["period"] == result.period.code}


def build_context(data: Comparison, catalog: Catalog, region: str, theme: str | None = None) -> dict:
    """The public template context (documented in docs/templates.md)."""
    current = data.current
    by_org: dict[str, dict] = {}
    for row in current.org_rows:
        by_org.setdefault(row["org"], {})[row["indicator"]] = row["value"]

    def mapping(result):
        return IndicatorValues(_totals(result), catalog) if result is not None and result.rows else None

    v = IndicatorValues(_totals(current), catalog)

    def leader(indicator: str):
        """The org that contributed most to a total, when that is worth saying."""
        shares = [(values.get(indicator) or 0, org) for org, values in by_org.items()]
        total = v[indicator]
        reporting = len([s for s in shares if s[0]])
        if reporting < LEADER_MIN_ORGS or not total or total < LEADER_MIN_TOTAL:
            return None
        value, org = max(shares)
        if value / total < max(LEADER_MIN_SHARE, LEADER_OVER_EQUAL / reporting):
            return None
        return {"org": org, "value": value, "share": value / total * 100}

    return {
        "region": region,
        "theme": theme,
        "period": current.period,
        "v": v,
        "prev": mapping(data.previous),
        "year_ago": mapping(data.year_ago),
        "ytd": mapping(data.year_to_date),
        "by_org": {org: IndicatorValues(values, catalog) for org, values in by_org.items()},
        "indicators": list(catalog),
        "sections": [(section, catalog.in_section(section)) for section in catalog.sections],
        "orgs": list(current.orgs),
        "files": int(current.observations["file"].nunique()) if len(current.observations) else 0,
        "leader": leader,
        "coverage": coverage_context(current.coverage),
    }


def coverage_context(coverage) -> dict:
    """Which orgs and months the totals cover, for a template to say so (docs/templates.md)."""
    def gaps(listed):
        return [{"org": org, "months": coverage.months_text(months), "codes": [Period(m, m).code for m in months]}
                for org, months in listed]

    return {
        "expected_orgs": list(coverage.orgs) if coverage.expected else None,
        "reporting_orgs": coverage.reporting_orgs,
        "complete_orgs": coverage.complete_orgs,
        "is_complete": coverage.complete,
        "missing": gaps(coverage.missing),
        "invalid": gaps(coverage.invalid),
        "missing_text": coverage.missing_text,
        "invalid_text": coverage.invalid_text,
        "skipped_files": list(coverage.skipped_files),
    }


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


def parse_document(text: str) -> dict:
    """The rendered text as title, subtitle, paragraphs and one table (for Word and HTML)."""
    doc = {"title": "", "subtitle": "", "paragraphs": [], "table": None}
    table_lines: list[list[str]] = []
    for block in text.split("\n"):
        line = block.strip()
        if not line:
            continue
        if line.startswith("## "):
            doc["subtitle"] = line[3:].strip()
        elif line.startswith("# "):
            doc["title"] = line[2:].strip()
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                table_lines.append(cells)
        else:
            doc["paragraphs"].append(line)
    if table_lines:
        doc["table"] = {"header": table_lines[0], "rows": table_lines[1:]}
    return doc


def to_html(doc: dict, title: str) -> str:
    """A standalone page. The text was rendered with autoescape, so it is already safe
    HTML; only the page title (data too) is escaped here."""
    from markupsafe import escape

    parts = [f"<h1>{doc['title']}</h1>"] if doc["title"] else []
    if doc["subtitle"]:
        parts.append(f'<p class="subtitle">{doc["subtitle"]}</p>')
    parts += [f"<p>{p}</p>" for p in doc["paragraphs"]]
    if doc["table"]:
        head = "".join(f"<th>{c}</th>" for c in doc["table"]["header"])
        rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in doc["table"]["rows"])
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    style = ("body{font-family:'FangSong','仿宋',serif;font-size:16pt;line-height:1.8;max-width:48em;margin:2em auto}"
             "h1{font-family:'SimHei','黑体',sans-serif;text-align:center}.subtitle{text-align:center;"
             "font-family:'KaiTi','楷体',serif}p{text-indent:2em}table{border-collapse:collapse;font-size:12pt}"
             "td,th{border:1px solid #333;padding:2px 8px}td:nth-child(n+3){text-align:right}")
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{style}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


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
    found = (Path(locate_template(name, folder)) for name in names)
    return [path for path in found if path.is_file()]


def check_report_suffix(suffix: str) -> str:
    """The output suffix, or a usage error before any file is read."""
    if suffix not in REPORT_SUFFIXES:
        raise UsageError(f"不支持的报告格式：{suffix}（可用 {'、'.join(REPORT_SUFFIXES)}）")
    return suffix


def render_report(data: Comparison, catalog: Catalog, region: str, output_suffix: str,
                  template: str | None = None, theme: str | None = None,
                  template_dir: Path | None = None) -> tuple[str | None, dict]:
    """(text, context) for .md/.txt/.html; for .docx the context with `doc` and the
    Word template to fill (context["_word_template"])."""
    check_report_suffix(output_suffix)
    default = "年度综述" if not data.current.period.is_month else "月报"
    template = locate_template(template or default, template_dir)
    context = build_context(data, catalog, region, theme)
    if template and template.lower().endswith(".docx"):
        # The Word file gets `doc` from the default text (the office's own, if it has one).
        folder, name = resolve_template(locate_template(default, template_dir), default)
        word = Path(template)
        if not word.is_file():
            raise UsageError(f"找不到模板：{template}")
    else:
        folder, name = resolve_template(template, default)
        word = None
    html = output_suffix == ".html"
    text = render_text(folder, name, context, autoescape=html)
    doc = parse_document(text)
    if html:
        return to_html(doc, doc["title"] or f"{region}{data.current.period.label}"), context
    if output_suffix == ".docx":
        context["doc"] = doc
        context["_word_template"] = word
        return None, context
    return text, context
