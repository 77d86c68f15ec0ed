"""A township's own workbook, opened for its marked-up copy through the same guard as
reading it (read/guard/).

An .xlsx or .xlsm is read within the reader's size limit and vetted by the guard, which
refuses encrypted files, zip bombs and damaged XML and rebuilds the zip from the parts
it inflated and checked. openpyxl opens that rebuilt zip, never the file's own bytes: what the copy holds is what the reader read — cells, styles and
number formats, merged cells, column widths, validations, print setup. The rebuilt zip
holds only the parts calamine reads, so parts the scan never vetted (pictures, charts,
the file's own comments, macros) are not in the copy; a sheet's relationships to them
are dropped so that openpyxl does not look for them.

An .xls or .csv (which openpyxl cannot open) is rebuilt as an .xlsx from the cells the
reader read (load_sheets), merged ranges included.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from pathlib import Path

from fulian_stats.read.grid import CSV_SUFFIXES, GridError, load_sheets
from fulian_stats.read.guard import OLE_MAGIC, read_bytes, vet_workbook

# openpyxl holds a few hundred bytes a cell (calamine: about 40): a copy is made of at
# most this many cells of the sheets' extents, far above a county's yearly workbook.
MAX_COPY_CELLS = 1_000_000

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_PART_TYPES = {  # the type of relationship from the workbook → the content type of its target
    "worksheet": _MAIN + "worksheet+xml", "chartsheet": _MAIN + "chartsheet+xml",
    "sharedstrings": _MAIN + "sharedStrings+xml", "styles": _MAIN + "styles+xml",
}
_WORKBOOK_TYPE = _MAIN + "sheet.main+xml"
_TABLE_TYPE = _MAIN + "table+xml"


class NoCopy(Exception):
    """Why a file gets no marked-up copy (one Chinese line)."""


def open_original(path: str, stem: str):
    """The file's workbook as openpyxl holds it, from the bytes the guard vetted; an
    .xls or .csv rebuilt from its cells (sheet `stem` for a CSV). NoCopy when the
    guard refuses the file or openpyxl cannot open what it passed."""
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # OPENPYXL_DEFUSEDXML=False: its XML parser would then expand entities
        raise NoCopy("openpyxl 未启用安全的XML解析（环境变量 OPENPYXL_DEFUSEDXML），为安全起见未生成副本")
    if Path(path).suffix.lower() in CSV_SUFFIXES:
        return rebuilt(path, stem)
    try:
        data = read_bytes(path)
        vetted = vet_workbook(data)
    except GridError as exc:
        raise NoCopy(exc.message) from None
    except OSError as exc:
        raise NoCopy(f"无法打开文件：{exc.strerror or exc}") from None
    if data.startswith(OLE_MAGIC):
        return rebuilt(path, stem)  # an .xls, whatever its name says
    parts = _parts(vetted.workbook)
    _within_limits(parts)
    try:
        return openpyxl.load_workbook(io.BytesIO(_for_openpyxl(parts)), keep_links=False)
    except MemoryError:
        raise NoCopy("文件过大，无法生成副本") from None
    except Exception as exc:  # noqa: BLE001 - openpyxl on a file Excel wrote oddly: that file's problem
        raise NoCopy(f"原文件的格式无法复制（{type(exc).__name__}: {str(exc)[:80]}）") from None


def _parts(vetted: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(vetted)) as source:
        return {name: source.read(name) for name in source.namelist()}


def _within_limits(parts: dict[str, bytes]) -> None:
    """The copy's own bound on the cells openpyxl would hold (it keeps each cell written,
    not a sheet's whole block as calamine does): one for each cell tag."""
    cells = sum(body.count(b"<c ") + body.count(b"<c>") for body in parts.values())
    if cells > MAX_COPY_CELLS:
        raise NoCopy(f"工作簿有{cells}个单元格，超过生成副本的上限（{MAX_COPY_CELLS}个）；问题见反馈单")


def _for_openpyxl(parts: dict[str, bytes]) -> bytes:
    """The guard's rebuilt zip as openpyxl reads a package: with content types (made
    from the workbook's relationships, not taken from the file), and each sheet's
    relationships only to parts in the zip (and its links to web pages)."""
    if any(_declares_entities(body) for body in parts.values()):
        # calamine refuses these; openpyxl's parser (defusedxml) would too, but is never asked
        raise NoCopy("文件中含有XML实体声明（DTD），疑似恶意构造的文件，为安全起见未生成副本")
    present = {name.lower(): name for name in parts}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        overrides = {}
        for name, body in parts.items():
            key = name.lower()
            if key == "xl/workbook.xml":
                overrides[name] = _WORKBOOK_TYPE
            elif key == "xl/_rels/workbook.xml.rels":
                overrides.update(_typed_targets(body, present))
            elif key.startswith("xl/tables/") and key.endswith(".xml"):
                overrides[name] = _TABLE_TYPE
            elif "/_rels/" in key and key != "_rels/.rels":
                body = _kept_relationships(name, body, present)
            target.writestr(name, body)
        target.writestr("[Content_Types].xml", _content_types(overrides))
    return out.getvalue()


def _declares_entities(body: bytes) -> bool:
    """A DTD (where entities are declared) in a part, in UTF-8 or UTF-16; Excel writes none."""
    if b"\x00" in body[:64]:
        text = body.decode("utf-16-be" if body[:1] == b"\x00" else "utf-16-le", "replace")
        return "<!DOCTYPE" in text or "<!ENTITY" in text
    return b"<!DOCTYPE" in body or b"<!ENTITY" in body


def _relationships(body: bytes) -> list[dict]:
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(body)
    except Exception:  # noqa: BLE001 - bad XML and defusedxml's refusals alike: no relationships kept
        return []
    return [dict(rel.attrib) for rel in root if rel.tag.rsplit("}", 1)[-1] == "Relationship"]


def _resolve(rels_part: str, target: str) -> str:
    """A relationship's target as a part name: `/xl/x.xml`, or relative to the folder of
    the part the relationships belong to (`xl/worksheets/_rels/a.xml.rels` → xl/worksheets)."""
    if target.startswith("/"):
        return target[1:]
    owner = posixpath.dirname(posixpath.dirname(rels_part))
    return posixpath.normpath(posixpath.join(owner, target.replace("\\", "/")))


def _typed_targets(body: bytes, present: dict[str, str]) -> dict[str, str]:
    found = {}
    for rel in _relationships(body):
        kind = rel.get("Type", "").rsplit("/", 1)[-1].lower()
        part = _resolve("xl/_rels/workbook.xml.rels", rel.get("Target", "")).lower()
        if kind in _PART_TYPES and part in present:
            found[present[part]] = _PART_TYPES[kind]
    return found


def _kept_relationships(name: str, body: bytes, present: dict[str, str]) -> bytes:
    kept = []
    for rel in _relationships(body):
        external = rel.get("TargetMode") == "External"
        if external and not rel.get("Type", "").endswith("/hyperlink"):
            continue  # a link out of the workbook that is not a cell's link: nothing a copy needs
        if external or _resolve(name, rel.get("Target", "")).lower() in present:
            kept.append("<Relationship " + " ".join(f'{k}="{html.escape(v)}"' for k, v in rel.items()
                                                    if ":" not in k and "}" not in k) + "/>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{_RELS_NS}">'
            + "".join(kept) + "</Relationships>").encode("utf-8")


def _content_types(overrides: dict[str, str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="/{html.escape(name)}" ContentType="{kind}"/>'
                      for name, kind in overrides.items()) + "</Types>")


# -- rebuilt from the cells --------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def rebuilt(path: str, stem: str):
    """A workbook of the cells the reader reads from `path` (through load_sheets and its
    guard), each sheet's cells where they were, merged ranges merged; text stays text
    (`=…` never becomes a formula), and a CSV's plain numbers (`45`, `20.5`) are numbers,
    as Excel would open them."""
    from openpyxl import Workbook

    try:
        sheets = load_sheets(path)
    except GridError as exc:
        raise NoCopy(exc.message) from None
    except OSError as exc:
        raise NoCopy(f"无法打开文件：{exc.strerror or exc}") from None
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.name or stem, book.sheetnames))
        for r, row in enumerate(sheet.rows, start=sheet.row_offset + 1):
            for c, value in enumerate(row, start=sheet.col_offset + 1):
                if value is not None and value != "":
                    _put_value(ws.cell(r, c), value, sheet.text is not None)
        for r1, c1, r2, c2 in sheet.merged:
            if (r1, c1) != (r2, c2):
                ws.merge_cells(start_row=sheet.row_offset + r1 + 1, start_column=sheet.col_offset + c1 + 1,
                               end_row=sheet.row_offset + r2 + 1, end_column=sheet.col_offset + c2 + 1)
        _fit_columns(ws)
    return book


def sheet_title(name: str, taken: list[str]) -> str:
    """A name Excel accepts for a sheet: no `[]:*?/\\`, at most 31 characters, not one taken."""
    base = _BAD_TITLE.sub("_", str(name)).strip("'")[:31] or "Sheet"
    title, n = base, 1
    lowered = {t.lower() for t in taken}
    while title.lower() in lowered:
        n += 1
        title = f"{base[:31 - len(str(n)) - 2]}（{n}）"
    return title


def _put_value(cell, value, from_text: bool) -> None:
    import datetime

    if isinstance(value, str):
        if from_text and _PLAIN_NUMBER.fullmatch(value):
            cell.value = float(value) if "." in value else int(value)
            return
        cell.value = value
        cell.data_type = "s"  # never a formula, whatever it starts with
        return
    cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"


def _fit_columns(ws) -> None:
    """Columns as wide as their text (a Chinese character counts two), 8 to 50."""
    from openpyxl.utils import get_column_letter

    from fulian_stats.output.printing import fit_width, text_width

    longest: dict[int, tuple[int, str]] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                text = str(cell.value)
                longest[cell.column] = max(longest.get(cell.column, (0, "")), (text_width(text), text))
    for column, (_width, text) in longest.items():
        ws.column_dimensions[get_column_letter(column)].width = fit_width([text], 8, 50)


def first_sheet_name(path: Path) -> str | None:
    """The name of a workbook's first sheet, read through the guard (None when it
    cannot be): tells a marked-up copy or 反馈单 of an earlier run from a file that
    must not be replaced."""
    names = sheet_names(path)
    return names[0] if names else None


def sheet_names(path: Path) -> list[str] | None:
    """A workbook's sheet names in order, read through the guard (None when it cannot be)."""
    try:
        data = read_bytes(path)
        if data.startswith(OLE_MAGIC):
            return None
        copy = vet_workbook(data).workbook
    except (GridError, OSError):
        return None
    with zipfile.ZipFile(io.BytesIO(copy)) as vetted:
        name = next((n for n in vetted.namelist() if n.lower() == "xl/workbook.xml"), None)
        found = re.findall(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"', vetted.read(name)) if name else []
    return [html.unescape(n.decode("utf-8", "replace")) for n in found] or None


_STAMP = re.compile(rb"<dcterms:(created|modified)\b[^>]*>([^<]{1,40})</dcterms:\1>")


def saved_since_written(path: Path) -> bool:
    """Whether a workbook was saved again after it was written: xlsxwriter stamps it
    created and modified at the same moment, and Excel, WPS or openpyxl saving it
    stamp it modified when they do. One without both stamps counts as saved."""
    try:  # the guard's copy holds only what calamine reads: the stamps are read from the file
        with zipfile.ZipFile(path) as book:
            info = next((i for i in book.infolist() if i.filename.lower() == "docprops/core.xml"), None)
            with book.open(info) if info is not None and info.file_size <= 1 << 16 else io.BytesIO() as part:
                core = part.read(1 << 16)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, zlib.error):
        return True
    stamps = dict(_STAMP.findall(core))
    return not (stamps.get(b"created") and stamps.get(b"created") == stamps.get(b"modified"))

