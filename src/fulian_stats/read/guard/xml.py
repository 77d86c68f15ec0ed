"""A workbook part's XML as a strict reader sees it, before the lenient one reads it.

python-calamine reads damaged XML the way a lenient reader guesses: of two cells with
one address the later wins, a value whose opening tag was lost or that stands outside
any cell vanishes, an illegal character reference is dropped. Excel and openpyxl
refuse such a file, and so does the guard: a worksheet or the shared strings must be
well-formed XML (expat, with no DTD or entity at all), a worksheet's cells must come in
the order of their addresses (calamine puts each where its address says, so two swapped
addresses swap two values), and every value a worksheet writes must come back from
calamine (grid.py compares the count written here with the cells read). Also here: the
formulas calamine reads as blank without saying so, the shared-string count calamine
reserves room for, and the copy's small change that spares calamine a second walk of
each sheet.
"""

from __future__ import annotations

import operator
import re
import xml.parsers.expat as expat
from itertools import repeat
from typing import NamedTuple

MAX_TAG_BYTES = 4096  # a row or cell tag longer than this is not a spreadsheet's

# expat's errors (its messages name them; codes number them), as a township's clerk
# may read them; the rest: "格式有误".
_REASONS = {expat.errors.codes[message]: reason for message, reason in (
    (expat.errors.XML_ERROR_INVALID_TOKEN, "有不允许出现的字符"),
    (expat.errors.XML_ERROR_BAD_CHAR_REF, "有不允许的字符"),
    (expat.errors.XML_ERROR_TAG_MISMATCH, "标签不配对"),
    (expat.errors.XML_ERROR_UNCLOSED_TOKEN, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_NO_ELEMENTS, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_PARTIAL_CHAR, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_UNDEFINED_ENTITY, "引用了未定义的实体"),
    (expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT, "结尾有多余的内容"),
    (expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE, "同一标签中有重复的属性"),
)}
_CELL_TAG = b'<c r="'


class XmlProblem(NamedTuple):
    reason: str  # in Chinese
    cell: str | None  # the last cell begun before the damage, where one was
    near: bool = True  # the damage is near the cell (expat's position), not the cell itself


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused


def xml_problem(xml: bytes) -> XmlProblem | None:
    """Why the part is no well-formed XML document, or None. A DTD (and with it any
    entity of its own) is refused: no spreadsheet writes one, and entities are how XML
    tricks work. No handler runs per element: expat checks the whole part at C speed."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    try:
        parser.Parse(xml, True)
    except _Refused:
        return XmlProblem("含有文档类型声明（DTD）", None)
    except expat.ExpatError as exc:
        return XmlProblem(_REASONS.get(exc.code, "格式有误"), _cell_before(xml, parser.ErrorByteIndex))
    return None


def _cell_before(xml: bytes, at: int) -> str | None:
    start = xml.rfind(_CELL_TAG, 0, max(at, 0) + 1)
    if start < 0:
        return None
    end = xml.find(b'"', start + len(_CELL_TAG), start + len(_CELL_TAG) + 12)
    ref = xml[start + len(_CELL_TAG):end] if end > 0 else b""
    return ref.decode("ascii").upper() if ref.isalnum() and ref.isascii() else None


# -- the cells' order ---------------------------------------------------------------------------

# Every writer (Excel, WPS, openpyxl, xlsxwriter) writes a worksheet's cells row by row,
# left to right, the address first: `<c r="B7"`. Those are found by the regex's literal
# start; a sheet with any other cell tag is read by the general pattern, at about four
# times the cost.
_USUAL_CELL = re.compile(rb'<c r="([^"]*)"')
_USUAL_ADDRESS = re.compile(rb'<c r="([A-Za-z]{1,3})(\d{1,7})"')
_OTHER_CELL_TAGS = (re.compile(rb'<c(?:[\t\n\r]| (?!r="))'), re.compile(rb':c[\s>/]'))  # each from its literal start
_ANY_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s(?:[^<>]*?\s)?r\s*=\s*["\']([A-Za-z]{1,3})(\d{1,7})["\']')
_ROW_WIDTH, _COLUMN_WIDTH = 7, 3  # the widest address: XFD1048576
# Address sequences found in order in this process. Forms made from one template write
# the same cells (styled empty cells too), so most files are known after the first.
_IN_ORDER: set[bytes] = set()
_IN_ORDER_MAX = 256


def cells_out_of_order(xml: bytes) -> XmlProblem | None:
    """Where a worksheet's cells stop coming in the order of their addresses, or None.
    An address written twice in a row is left to the count of values (grid.py), whose
    message says so; addresses that are no cell's (`r="x"`) are calamine's to refuse."""
    known = None
    if not any(other.search(xml) for other in _OTHER_CELL_TAGS):
        known = b" ".join(_USUAL_CELL.findall(xml))
        if known in _IN_ORDER:
            return None
    refs = (_ANY_CELL if known is None else _USUAL_ADDRESS).findall(xml)
    if len(refs) > 1:
        columns, rows = zip(*refs)
        # Sortable keys made at C speed: the row and the column right-justified (a blank
        # sorts before any letter, so B before AA); a lower-case address is the same cell.
        keys = list(map(operator.add, map(bytes.rjust, rows, repeat(_ROW_WIDTH), repeat(b"0")),
                        map(bytes.rjust, b" ".join(columns).upper().split(), repeat(_COLUMN_WIDTH))))
        if keys != sorted(keys):
            at = next(i for i in range(1, len(keys)) if keys[i] < keys[i - 1])
            early, late = (b"".join(refs[i]).decode("ascii").upper() for i in (at - 1, at))
            return XmlProblem(f"中单元格的地址顺序错乱（{early}写在了{late}之前，地址可能被改动过）", early, near=False)
    if known is not None:
        if len(_IN_ORDER) >= _IN_ORDER_MAX:
            _IN_ORDER.clear()
        _IN_ORDER.add(known)
    return None


def values_written(xml: bytes) -> int:
    """How many cells of a worksheet hold a value calamine must give back non-empty:
    every <v> with text but an error cell's (calamine gives "" for `#DIV/0!`), and
    every inline string with text. Counted by literal searches (a `<v>` or `<v …>` with
    text ends in `</v>`; `<v/>` does not): a few microseconds a sheet."""
    values = xml.count(b"</v>") - xml.count(b"<v></v>") - xml.count(b' t="e"')
    if b"<is>" not in xml:
        return values
    return values + xml.count(b"<is>") - xml.count(b"<is><t/></is>") - xml.count(b"<is><t></t></is>")


_EMPTY_STRING = re.compile(rb'<t/>|<t></t>|<t xml:space="preserve"></t>|<si/>|<si></si>')


def has_empty_strings(shared: bytes) -> bool:
    """Shared strings with an empty text: a cell naming one is read as empty, rightly."""
    return _EMPTY_STRING.search(shared) is not None


# -- formulas saved without a value ---------------------------------------------------------

# A tag's attributes up to its `>`; never past a `<`, which no attribute value may hold, so
# that a run of tags that never close costs each one its own bytes, not the rest of the part.
ATTRS = re.compile(rb'((?:[^<>"\']|"[^"<]*+"|\'[^\'<]*+\')*+)>')
ATTR = re.compile(rb'\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb'[A-Za-z]{1,3}\d{1,7}')
# `</f>`, `<f>` or a prefixed `<x:f`: a sheet with none is skipped. Two patterns, each
# found from its literal start: as one alternation the search cost a tenth of a bare read.
_FORMULA_HINTS = (re.compile(rb'f>'), re.compile(rb':f[\s/>]'))
# A formula element not followed by a value (`<v>` with text): never calculated.
FORMULA_NO_VALUE = re.compile(  # possessive, and stopping at `<`: linear however the tags are cut
    rb'<(?:[\w.-]+:)?f\b(?:[^<>/]|/(?!>))*+(?:/>|>[^<]*+</(?:[\w.-]+:)?f>)'
    rb'(?!\s*<(?:[\w.-]+:)?v(?:\s[^<>]*+)?>\s*[^<\s])')
_STRING_RESULT = re.compile(rb'\st\s*=\s*["\']str["\']')
_EMPTY_VALUE = re.compile(rb'\s*<(?:[\w.-]+:)?v\b')


def formulas_without_values(xml: bytes) -> list[str]:
    """The cells (A1, or "" when the cell has no readable reference) of formulas saved
    without a value: calamine reads them as blank and does not say so."""
    if not any(hint.search(xml) for hint in _FORMULA_HINTS):
        return []
    cells = []
    for match in FORMULA_NO_VALUE.finditer(xml):
        near = max(0, match.start() - MAX_TAG_BYTES - 16)  # the cell's tag is just before: no further back
        start = max(xml.rfind(b"<c ", near, match.start()), xml.rfind(b"<c>", near, match.start()))
        attrs = ATTRS.match(xml, start + 2, start + 2 + MAX_TAG_BYTES) if start >= 0 else None
        tag = attrs.group(1) if attrs else b""
        if _STRING_RESULT.search(tag) and _EMPTY_VALUE.match(xml, match.end(), match.end() + 64):
            continue  # `t="str"` with an empty <v>: the formula's result is an empty text
        ref = attributes(tag).get(b"r", b"")
        cells.append(ref.decode("ascii").upper() if _REF.fullmatch(ref) else "")
    return cells


# An error cell (`t="e"`): calamine gives "" for its `#DIV/0!`, a blank the form never had.
_ERROR_TYPES = (b't="e"', b"t='e'")
_CELL_START = re.compile(rb"<(?:[\w.-]+:)?c\s")
_ERROR_VALUE = re.compile(rb'(?:<(?:[\w.-]+:)?f\b[^<>]*+(?:/>|>[^<]*+</(?:[\w.-]+:)?f>))?\s*+'
                          rb'<(?:[\w.-]+:)?v>(#[A-Z0-9_/!?.]{1,15})</(?:[\w.-]+:)?v>')


def error_cells(xml: bytes) -> dict[str, str]:
    """Cell (A1) → the error it shows (`#DIV/0!`, `#REF!`) of the sheet's error cells,
    found by literal searches (a regex without a literal start costs a tenth of a bare
    read): the cell's tag starts at the last `<` before its attribute."""
    found = {}
    for literal in _ERROR_TYPES:
        at = xml.find(literal)
        while at >= 0:
            start = xml.rfind(b"<", max(0, at - MAX_TAG_BYTES), at)
            tag = _CELL_START.match(xml, start) if start >= 0 else None
            attrs = ATTRS.match(xml, tag.end() - 1, tag.end() + MAX_TAG_BYTES) if tag is not None else None
            if attrs is not None:
                ref = attributes(attrs.group(1)).get(b"r", b"")
                value = _ERROR_VALUE.match(xml, attrs.end(), attrs.end() + MAX_TAG_BYTES)
                if value is not None and _REF.fullmatch(ref):
                    found[ref.decode("ascii").upper()] = value.group(1).decode("ascii")
            at = xml.find(literal, at + len(literal))
    return found


_HIDDEN = b"hidden="
_HIDDEN_VALUES = (b'"1"', b"'1'", b'"true"', b"'true'")
_ROW_OR_COL = re.compile(rb"<(?:[\w.-]+:)?(row|col)\s")


def hidden_rows_and_columns(xml: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """The sheet's hidden rows and columns (0-based): a <row> or <col> tag with
    hidden="1", found by one literal search (most sheets hide nothing), as error_cells finds its cells."""
    rows: set[int] = set()
    columns: set[int] = set()
    at = xml.find(_HIDDEN)  # one search: most sheets hide nothing
    while at >= 0:
        if xml.startswith(_HIDDEN_VALUES, at + len(_HIDDEN)):
            start = xml.rfind(b"<", max(0, at - MAX_TAG_BYTES), at)
            tag = _ROW_OR_COL.match(xml, start) if start >= 0 else None
            end = xml.find(b">", at)
            if tag is not None and end > 0:
                found = attributes(xml[tag.end() - 1:end])
                try:
                    if tag.group(1) == b"row":
                        rows.add(int(found.get(b"r", b"0")) - 1)
                    else:  # a span of columns, at most a sheet's width
                        first, last = int(found.get(b"min", b"0")), int(found.get(b"max", b"0"))
                        columns.update(range(max(first, 1) - 1, min(last, 16384)))
                except ValueError:
                    pass  # a number spelt so that it cannot be read: no note, the value is read as it is
        at = xml.find(_HIDDEN, at + len(_HIDDEN))
    rows.discard(-1)
    return frozenset(rows), frozenset(columns)


def attributes(tag: bytes) -> dict[bytes, bytes]:
    """A tag's attributes (name, prefix and all → raw value; the last of a repeated one)."""
    return parse_attributes(tag)[0]


def parse_attributes(tag: bytes) -> tuple[dict[bytes, bytes], bool]:
    """The attributes, and whether they are all there is to the tag (no stray text
    between or after them that could hide another)."""
    found, pos = {}, 0
    while (attr := ATTR.match(tag, pos)) is not None:
        found[attr.group(1)] = attr.group(2) if attr.group(2) is not None else attr.group(3)
        pos = attr.end()
    return found, not tag[pos:].strip(b" \t\r\n/")


# -- shared strings ---------------------------------------------------------------------------

# calamine reserves room for as many shared strings as the <sst> element claims, 24 bytes
# each, before it reads one: `uniqueCount="4294967295"` in a 100-byte part asks for 100 GB.
# Only the bytes can tell: no part can hold more strings than a quarter of its bytes.
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']\s*\+?(\d+)')


def shared_strings_claimed(xml: bytes) -> int:
    """The most shared strings the part claims: the largest `uniqueCount` anywhere in
    it, whatever tag or prefix it is on (more than calamine reads, never less); one
    spelt so that its number cannot be read (entities, say) counts as huge."""
    spelt = xml.count(b"uniqueCount")
    if not spelt:
        return 0
    counts = _UNIQUE_COUNT.findall(xml)
    if len(counts) < spelt:
        return 1 << 62
    return max(map(int, counts))


# -- the copy's merged ranges -------------------------------------------------------------------

# python-calamine reads every sheet's merged ranges along with its cells: a second walk
# of the XML, to the <mergeCells> that follows the cells (a fifth of a bare read's
# instructions on a monthly form; there is no option to skip it). The reader needs the
# ranges (a header's group headings are merged across its columns), not the walk: the
# copy gets the sheet's own <mergeCells> element (or an empty one) just before
# <sheetData>, where that walk then stops with the same ranges. The cells are read as
# before: calamine's cell reader passes over whatever comes before <sheetData>, and the
# element holds no cell. tests/test_guard_calamine.py fails if calamine stops doing so.
_NO_MERGED_CELLS = b"<mergeCells></mergeCells>"
_AFTER_NAME = frozenset(b" \t\r\n/>")
_MERGE_END = b"</mergeCells>"


def merged_cells_first(xml: bytes) -> bytes:
    """The worksheet's XML with its <mergeCells> element (or an empty one) also in
    front of <sheetData>; the same object where the first `<sheetData` might not be the
    element: after a comment, CDATA or DTD (`<!`), which could hold it as text, or
    after a prefixed `:sheetData`, whose cells could."""
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
