"""One worksheet's XML, looked at before python-calamine reads it (see safety.py).

How far its cells reach (calamine allocates the whole block), which formulas were never
calculated (calamine reads them as blank and does not say so), and the stored copy's
small change that spares calamine a second walk. Also the shared-string count calamine
reserves room for. A usual sheet costs three searches; an unusual one (a row or cell
without a small `r="A1"` first, a second `r`, namespace prefixes) is walked tag by
tag, as calamine walks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_SHEET_CELLS = 2_000_000  # calamine and to_python() cost about 40 bytes per cell of a sheet's bounding box
MAX_TAG_BYTES = 4096  # a row or cell tag longer than this is not a spreadsheet's


@dataclass
class SheetScan:
    """What a worksheet part's XML shows before calamine reads it."""

    part: str
    size: int = 0  # bytes of XML calamine parses for each sheet that shows the part
    cells: int = 0  # cells in the bounding box calamine will allocate
    rows: int = 0
    cols: int = 0
    formulas: list[str] = field(default_factory=list)  # cells (A1) with a formula and no saved value
    values: int = 0  # cells writing a value calamine must give back (xmlcheck.values_written)

    @property
    def too_large(self) -> bool:
        return self.cells > MAX_SHEET_CELLS


# python-calamine reads every sheet's merged ranges along with its cells: a second walk
# of the XML, to the <mergeCells> that follows the cells (a fifth of a bare read's
# instructions on a monthly form; there is no option to skip it). The reader needs the
# ranges (a header's group headings are merged across its columns), not the walk: the
# copy gets the sheet's own <mergeCells> element (or an empty one) just before
# <sheetData>, where that walk then stops with the same ranges. The cells are read as
# before: calamine's cell reader passes over whatever comes before <sheetData>, and the
# element holds no cell, so the scan's bounds still hold.
_NO_MERGED_CELLS = b"<mergeCells></mergeCells>"
_AFTER_NAME = frozenset(b" \t\r\n/>")
_MERGE_END = b"</mergeCells>"


def merged_cells_first(xml: bytes) -> bytes:
    """The worksheet's XML with its <mergeCells> element (or an empty one) also in
    front of <sheetData>; the same object where the first `<sheetData` might not be the
    element: after a comment, CDATA or DTD (`<!`), which could hold it as text, or
    after a prefixed `:sheetData`, whose cells could.

    Damage after the cells (say, XML cut short after </sheetData>) was seen only by
    this walk: the copy's cells are read whole and the rest goes unread, as it does
    in the tool anyway."""
    at = xml.find(b"<sheetData")
    if at < 0 or at + 10 >= len(xml) or xml[at + 10] not in _AFTER_NAME \
            or xml.find(b"<!", 0, at) >= 0 or xml.find(b":sheetData", 0, at) >= 0:
        return xml
    return b"".join((xml[:at], _merge_element(xml, at), xml[at:]))


def _merge_element(xml: bytes, after: int) -> bytes:
    """The sheet's own <mergeCells>…</mergeCells> after the cells, when it is spelt as
    the usual writers spell it and holds nothing but <mergeCell> tags; else an empty one."""
    start = xml.rfind(b"<mergeCells", after)
    if start < 0 or xml[start + 11:start + 12] not in (b" ", b">"):
        return _NO_MERGED_CELLS
    end = xml.find(_MERGE_END, start)
    if end < 0:
        return _NO_MERGED_CELLS
    element = xml[start:end + len(_MERGE_END)]
    inner = element[element.index(b">") + 1:-len(_MERGE_END)]
    if inner.count(b"<") != inner.count(b"<mergeCell ") or b"</" in inner:
        return _NO_MERGED_CELLS  # anything else inside could be read otherwise than it looks
    return element


# -- one worksheet's XML --------------------------------------------------------------------

# Every row and cell tag of a usual sheet opens with a small reference (`<row r="12"`,
# `<c r="D12"`: at most row 999 and column ZZ) and has no other `r` (calamine goes by
# the last); then no cell lies beyond 999 × 702. A tag spelt otherwise than the usual
# writers spell it (one space before each attribute, double quotes) is unusual too: it
# costs a walk, not a miss.
_UNUSUAL_TAG = re.compile(
    rb'<(?:c|row)(?:[>/]|\s(?!r="[A-Za-z]{0,2}[1-9]\d{0,2}"(?: (?!r=)[\w:.-]++="[^"<]*+")*+/?>))')
_PREFIXED_TAG = re.compile(rb':(?:c|row|f)[\s/>]')
_ROW_OR_CELL = re.compile(rb'<(/?)(?:[^\s<>/!?:]+:)?(row|c)(?=[\s/>])')
# A tag's attributes up to its `>`; never past a `<`, which no attribute value may hold, so
# that a run of tags that never close costs each one its own bytes, not the rest of the part.
_ATTRS = re.compile(rb'((?:[^<>"\']|"[^"<]*+"|\'[^\'<]*+\')*+)>')
_ATTR = re.compile(rb'\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb'([A-Za-z]*)(\d+)')
_HUGE = 1 << 31
# A formula element not followed by a value (`<v>` with text): never calculated.
_FORMULA_NO_VALUE = re.compile(  # possessive, and stopping at `<`: linear however the tags are cut
    rb'<(?:[\w.-]+:)?f\b(?:[^<>/]|/(?!>))*+(?:/>|>[^<]*+</(?:[\w.-]+:)?f>)'
    rb'(?!\s*<(?:[\w.-]+:)?v(?:\s[^<>]*+)?>\s*[^<\s])')
_FORMULA_END = re.compile(rb"f>")  # `</f>` or `<f>`; a literal search, the cheapest there is
_STRING_RESULT = re.compile(rb'\st\s*=\s*["\']str["\']')


def scan_sheet_xml(part: str, xml: bytes) -> SheetScan:
    scan = SheetScan(part, len(xml))
    prefixed = _PREFIXED_TAG.search(xml) is not None
    if prefixed or _UNUSUAL_TAG.search(xml):
        scan.rows, scan.cols = _extent(xml)
        scan.cells = scan.rows * scan.cols
    if prefixed or _FORMULA_END.search(xml):
        scan.formulas = _formulas_without_values(xml)
    return scan


def _position(raw: bytes) -> tuple[int, int] | None:
    """(row, col), 0-based, as calamine reads an `r` attribute; None where calamine
    rejects it (and fails the sheet); huge beyond Excel's grid, where its arithmetic
    would overflow."""
    match = _REF.fullmatch(raw)
    if match is None or int(match.group(2)) == 0:
        return None
    letters, digits = match.groups()
    if len(letters) > 3 or len(digits) > 7:
        return _HUGE, _HUGE
    col = 0
    for ch in letters.upper():
        col = col * 26 + ch - 64
    return int(digits) - 1, col - 1


_UNREADABLE_REF = b"XFD99999999"  # where a tag's attributes cannot be told apart: as if beyond the grid


def _r_attribute(attrs: bytes) -> bytes | None:
    """The raw `r` attribute of a tag as calamine takes it, the last of several, read
    attribute by attribute (a search could find `r=` inside another attribute's
    value). A tag whose attributes do not all parse could hide one: it counts as far."""
    pos, found = 0, None
    while (attr := _ATTR.match(attrs, pos)) is not None:
        if attr.group(1) == b"r":
            found = attr.group(2) if attr.group(2) is not None else attr.group(3)
        pos = attr.end()
    if attrs[pos:].strip(b" \t\r\n/"):
        return _UNREADABLE_REF
    return found


def _extent(xml: bytes) -> tuple[int, int]:
    """Rows × columns of the block calamine will allocate, walking row and cell tags as
    it does: a tag's `r` sets the position, otherwise the row follows the previous row
    and the cell the previous cell. Cells that may hold a value count (not `<c/>`)."""
    row = col = 0
    top = left = _HUGE
    bottom = right = -1
    for tag in _ROW_OR_CELL.finditer(xml):
        closing, name = tag.group(1), tag.group(2)
        if closing:
            if name == b"row":
                row, col = row + 1, 0
            continue
        attrs = _ATTRS.match(xml, tag.end(), tag.end() + MAX_TAG_BYTES)
        if attrs is None:
            return _HUGE, _HUGE  # an unterminated or monstrous tag
        ref = _r_attribute(attrs.group(1))
        position = _position(ref) if ref is not None else None
        empty = attrs.group(1).rstrip().endswith(b"/") or xml.startswith(b"</", attrs.end())
        if name == b"row":
            if position is not None:
                row = position[0]
            if empty:
                row, col = row + 1, 0
            continue
        r, c = position if position is not None else (row, col)
        col = c + 1
        if not empty:
            top, bottom, left, right = min(top, r), max(bottom, r), min(left, c), max(right, c)
    if bottom < 0:
        return 0, 0
    return bottom - top + 1, right - left + 1


def _formulas_without_values(xml: bytes) -> list[str]:
    """The cells (A1, or "" when the cell has no reference) of formulas with no value."""
    cells = []
    for match in _FORMULA_NO_VALUE.finditer(xml):
        near = max(0, match.start() - MAX_TAG_BYTES - 16)  # the cell's tag is just before: no further back
        start = max(xml.rfind(b"<c ", near, match.start()), xml.rfind(b"<c>", near, match.start()))
        attrs = _ATTRS.match(xml, start + 2, start + 2 + MAX_TAG_BYTES) if start >= 0 else None
        tag = attrs.group(1) if attrs else b""
        if _STRING_RESULT.search(tag) and re.match(rb'\s*<(?:[\w.-]+:)?v\b', xml[match.end():match.end() + 64]):
            continue  # `t="str"` with an empty <v>: the formula's result is an empty text
        ref = _r_attribute(tag) or b""
        cells.append(ref.decode("ascii", "replace").upper() if _REF.fullmatch(ref) else "")
    return cells


# calamine reserves room for as many shared strings as the <sst> element claims, 24 bytes
# each, before it reads one: `uniqueCount="4294967295"` in a 100-byte part asks for 100 GB.
_PREFIX = re.compile(rb'(?:[\w.-]+:)?')
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']\s*\+?(\d+)')


def tag_attributes(xml: bytes, name: bytes) -> list[dict[bytes, bytes] | None]:
    """The attributes (name, prefix and all → raw value, the last of a repeated one) of
    every `<name` or `<prefix:name` tag, found by a literal search; None for a tag
    whose attributes cannot be told apart. A prefix longer than a tag may be is not
    looked back through (the word repeated a million times would cost that squared):
    such a tag is not found."""
    found = []
    pos = xml.find(name)
    while pos >= 0:
        end = pos + len(name)
        opening = xml.rfind(b"<", max(0, pos - MAX_TAG_BYTES), pos)
        if opening >= 0 and end < len(xml) and xml[end] in b" \t\r\n/>" and _PREFIX.fullmatch(xml, opening + 1, pos):
            attrs = _ATTRS.match(xml, end, end + MAX_TAG_BYTES)
            text, at, values = (attrs.group(1) if attrs else b""), 0, {}
            while (attr := _ATTR.match(text, at)) is not None:
                values[attr.group(1)] = attr.group(2) if attr.group(2) is not None else attr.group(3)
                at = attr.end()
            found.append(values if attrs is not None and not text[at:].strip(b" \t\r\n/") else None)
        pos = xml.find(name, end)
    return found


def shared_strings_claimed(xml: bytes) -> int:
    """The most shared strings the part claims: the largest `uniqueCount` anywhere in
    it, whatever tag or prefix it is on (more than calamine reads, never less); one
    spelt so that its number cannot be read (entities, say) counts as huge."""
    spelt = xml.count(b"uniqueCount")
    if not spelt:
        return 0
    counts = _UNIQUE_COUNT.findall(xml)
    if len(counts) < spelt:
        return _HUGE
    return max(map(int, counts))
