"""Mutations of a real submission, for tests/test_mutants.py: each kind is a hypothesis
strategy that turns an original's bytes into a `Mutant` (its kind, a short detail that
says what was changed and where, and its bytes).

- byte-level, of the whole file: a bit flipped, bytes deleted or inserted, the file cut;
- XML-level, inside a valid zip (re-zipped: correct sizes and CRCs), of the worksheet
  and the shared strings: a cell duplicated (same address, or in lower case), a `<v>`
  without its opening tag or moved out of its cell, an illegal character reference, the
  part cut, a value's text changed, a cell's `t` changed, a row deleted, two `r` swapped;
- text-level, of a CSV: cut in the header, in a data row or at a line end, a delimiter
  deleted or added, a field's text changed, re-encoded, the final newline dropped.

A value's text is only ever changed to one that a reader must refuse (NaN, infinities,
beyond any plausible count, not a number) or that means the same number (`7.0`, `7E0`):
a file with another plausible number in a cell is valid, and no reader can tell.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import NamedTuple

from hypothesis import strategies as st

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


class Mutant(NamedTuple):
    kind: str
    detail: str  # what was changed where, short enough for a file name
    data: bytes


# Texts a number cell must be refused for (issue 22 point 2, and plain text).
REFUSED_NUMBERS = ["NaN", "nan", "inf", "-inf", "Infinity", "1E+309", "1e308", "1e10", "12abc"]
ILLEGAL_REFERENCES = ["&#1;", "&#xD800;", "&#0;", "&#xFFFE;", "&#x1F;"]
CELL_TYPES = ["n", "s", "str", "inlineStr", "b", "e", "d", None]  # None: the attribute removed
# Where a CSV could be re-encoded to; a reader must read each the same or name the file.
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "gb18030", "big5"]

_CELL = re.compile(rb"<c\b[^>]*?(?:/>|>.*?</c>)", re.S)
_ROW = re.compile(rb"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>([^<]*)</t>")
_R = re.compile(rb'\br="([A-Za-z]+[0-9]+)"')
_T = re.compile(rb'\st="[^"]*"')


# -- zips --------------------------------------------------------------------------


def parts_of(xlsx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    """The parts as a valid zip (sizes and CRCs right), in order, with a fixed date."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(zipfile.ZipInfo(name, (2017, 1, 10, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_shared_strings(xlsx: bytes) -> bytes:
    """The workbook with its inline strings (as openpyxl writes them) moved into a shared
    strings table, as Excel and WPS write one: same cells, same values."""
    parts = parts_of(xlsx)
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(2), len(strings))
        return match.group(1) + b't="s"><v>' + str(index).encode() + b"</v></c>"

    sheet = re.sub(rb'(<c\b[^>]*?)t="inlineStr"><is><t>([^<]*)</t></is></c>', shared, parts[SHEET])
    table = b"".join(b"<si><t>" + text + b"</t></si>" for text in strings)
    count = str(len(strings)).encode()
    parts[SHEET] = sheet
    parts[STRINGS] = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="' + count
                      + b'" uniqueCount="' + count + b'">' + table + b"</sst>")
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>')
    return zipped(parts)


# -- byte level --------------------------------------------------------------------


@st.composite
def byte_flip(draw, data: bytes) -> Mutant:
    at, bit = draw(st.integers(0, len(data) - 1)), draw(st.integers(0, 7))
    out = bytearray(data)
    out[at] ^= 1 << bit
    return Mutant("byte-flip", f"at{at}-bit{bit}", bytes(out))


@st.composite
def byte_delete(draw, data: bytes) -> Mutant:
    at, size = draw(st.integers(0, len(data) - 1)), draw(st.integers(1, 16))
    return Mutant("byte-delete", f"at{at}-len{size}", data[:at] + data[at + size:])


@st.composite
def byte_insert(draw, data: bytes) -> Mutant:
    at, extra = draw(st.integers(0, len(data))), draw(st.binary(min_size=1, max_size=8))
    return Mutant("byte-insert", f"at{at}-{extra.hex()}", data[:at] + extra + data[at:])


@st.composite
def byte_truncate(draw, data: bytes) -> Mutant:
    at = draw(st.integers(0, len(data) - 1))
    return Mutant("byte-truncate", f"at{at}", data[:at])


# -- XML level, inside a valid zip -------------------------------------------------


def _cells(xml: bytes, with_value: bool = False) -> list[re.Match]:
    return [m for m in _CELL.finditer(xml) if not with_value or b"<v>" in m.group()]


def _address(cell: bytes) -> str:
    found = _R.search(cell)
    return found.group(1).decode() if found else "noaddress"


def _splice(xml: bytes, match: re.Match, new: bytes) -> bytes:
    return xml[:match.start()] + new + xml[match.end():]


def _rezipped(xlsx: bytes, part: str, change) -> bytes:
    parts = parts_of(xlsx)
    parts[part] = change(parts[part])
    return zipped(parts)


def xml_kind(kind: str, part: str, mutate):
    """A kind that changes one part: `mutate(draw, xml)` gives (detail, new xml)."""
    @st.composite
    def strategy(draw, data: bytes) -> Mutant:
        xml = parts_of(data)[part]
        detail, new = mutate(draw, xml)
        return Mutant(kind, detail, _rezipped(data, part, lambda _old: new))
    strategy.kind, strategy.part = kind, part
    return strategy


def _duplicate_cell(lower: bool):
    def mutate(draw, xml):
        cell = draw(st.sampled_from(_cells(xml, with_value=True)))
        old = _VALUE.search(cell.group()).group(1)
        new_value = draw(st.integers(0, 9999).map(lambda n: str(n).encode()).filter(lambda v: v != old))
        copy = _VALUE.sub(lambda _m: b"<v>" + new_value + b"</v>", cell.group(), count=1)
        if lower:
            copy = _R.sub(lambda m: b'r="' + m.group(1).lower() + b'"', copy, count=1)
        return f"{_address(copy)}-{new_value.decode()}", _splice(xml, cell, cell.group() + copy)
    return mutate


def _drop_v_open(draw, xml):
    cell = draw(st.sampled_from(_cells(xml, with_value=True)))
    return _address(cell.group()), _splice(xml, cell, cell.group().replace(b"<v>", b"", 1))


def _v_outside_cell(draw, xml):
    cell = draw(st.sampled_from(_cells(xml, with_value=True)))
    value = _VALUE.search(cell.group()).group()
    return _address(cell.group()), _splice(xml, cell, cell.group().replace(value, b"", 1) + value)


def _illegal_reference(text_node: re.Pattern):
    def mutate(draw, xml):
        node = draw(st.sampled_from([m for m in text_node.finditer(xml) if m.group(1)]))
        text = node.group(1)
        at = draw(st.integers(0, len(text)))
        reference = draw(st.sampled_from(ILLEGAL_REFERENCES)).encode()
        start = node.start(1) + at
        where = _address(_cell_around(xml, start)) if text_node is _VALUE else f"string{_index_of(xml, start)}"
        return f"{where}-{reference.decode().strip('&;#')}", xml[:start] + reference + xml[start:]
    return mutate


def _cell_around(xml: bytes, at: int) -> bytes:
    return xml[xml.rfind(b"<c ", 0, at):at]


def _index_of(xml: bytes, at: int) -> int:
    return xml.count(b"<si>", 0, at) - 1


def _truncate(draw, xml):
    at = draw(st.integers(0, len(xml) - 1))
    return f"at{at}", xml[:at]


def _respellings(text: bytes) -> list[bytes]:
    try:
        number = float(text)
    except ValueError:
        return []
    return [text + b".0", text + b"E0"] if number == int(number) and b"." not in text else [text + b"0"]


def _value_text(text_node: re.Pattern, numbers_only: bool):
    def mutate(draw, xml):
        nodes = [m for m in text_node.finditer(xml)]
        if numbers_only:  # a number cell's <v>, not a shared string's index
            nodes = [m for m in nodes if b't="s"' not in _cell_around(xml, m.start())]
        node = draw(st.sampled_from(nodes))
        choices = [t.encode() for t in REFUSED_NUMBERS] + _respellings(node.group(1))
        new = draw(st.sampled_from(choices))
        where = _address(_cell_around(xml, node.start())) if text_node is _VALUE else f"string{_index_of(xml, node.start())}"
        return f"{where}-{new.decode()}", xml[:node.start(1)] + new + xml[node.end(1):]
    return mutate


def _cell_type(draw, xml):
    cell = draw(st.sampled_from(_cells(xml)))
    new_type = draw(st.sampled_from(CELL_TYPES))
    opening = re.match(rb"<c\b[^>]*?/?>", cell.group()).group()
    end = b"/>" if opening.endswith(b"/>") else b">"
    attributes = _T.sub(b"", opening[:-len(end)]) + (b' t="' + new_type.encode() + b'"' if new_type else b"")
    new = attributes + end + cell.group()[len(opening):]
    return f"{_address(cell.group())}-{new_type or 'none'}", _splice(xml, cell, new)


def _delete_row(draw, xml):
    row = draw(st.sampled_from(list(_ROW.finditer(xml))))
    number = re.search(rb'\br="(\d+)"', row.group())
    return f"row{number.group(1).decode() if number else '?'}", _splice(xml, row, b"")


def _swap_r(draw, xml):
    cells = _cells(xml)
    first = draw(st.integers(0, len(cells) - 2))
    second = draw(st.integers(first + 1, len(cells) - 1))
    a, b = cells[first], cells[second]
    ra, rb = _R.search(a.group()), _R.search(b.group())
    new_a = a.group().replace(ra.group(), rb.group(), 1)
    new_b = b.group().replace(rb.group(), ra.group(), 1)
    out = xml[:a.start()] + new_a + xml[a.end():b.start()] + new_b + xml[b.end():]
    return f"{ra.group(1).decode()}-{rb.group(1).decode()}", out


SHEET_KINDS = [
    xml_kind("xml-duplicate-cell", SHEET, _duplicate_cell(lower=False)),
    xml_kind("xml-duplicate-cell-lowercase", SHEET, _duplicate_cell(lower=True)),
    xml_kind("xml-drop-v-open", SHEET, _drop_v_open),
    xml_kind("xml-illegal-char-ref", SHEET, _illegal_reference(_VALUE)),
    xml_kind("xml-v-outside-cell", SHEET, _v_outside_cell),
    xml_kind("xml-truncate", SHEET, _truncate),
    xml_kind("xml-value-text", SHEET, _value_text(_VALUE, numbers_only=True)),
    xml_kind("xml-cell-type", SHEET, _cell_type),
    xml_kind("xml-delete-row", SHEET, _delete_row),
    xml_kind("xml-swap-r", SHEET, _swap_r),
]
STRINGS_KINDS = [
    xml_kind("sst-illegal-char-ref", STRINGS, _illegal_reference(_TEXT)),
    xml_kind("sst-truncate", STRINGS, _truncate),
    xml_kind("sst-value-text", STRINGS, _value_text(_TEXT, numbers_only=False)),
]


# -- text level, of a CSV ----------------------------------------------------------


def _line_starts(data: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\r?\n", data)]


@st.composite
def csv_truncate(draw, data: bytes, where: str) -> Mutant:
    """Cut `where`: "header" (inside line 1), "row" (inside a later line) or "line-end"
    (just after a line break: whole rows lost, the file still ends with a newline)."""
    starts = _line_starts(data)
    if where == "line-end":
        at = draw(st.sampled_from(starts[1:-1]))  # not the whole file
    else:
        line = 0 if where == "header" else draw(st.integers(1, len(starts) - 2))
        end = starts[line + 1] - (2 if data[starts[line + 1] - 2:starts[line + 1]] == b"\r\n" else 1)
        at = draw(st.integers(starts[line] + 1, end - 1))  # past its first byte, before its line break
    line_number = sum(1 for s in starts if s <= at)
    return Mutant(f"csv-truncate-{where}", f"line{line_number}-at{at}", data[:at])


@st.composite
def csv_delimiter(draw, data: bytes, add: bool) -> Mutant:
    if add:
        at = draw(st.sampled_from([i for i in range(len(data)) if data[i:i + 1] not in (b"\r", b"\n")]))
        out = data[:at] + b"," + data[at:]
    else:
        at = draw(st.sampled_from([i for i in range(len(data)) if data[i:i + 1] == b","]))
        out = data[:at] + data[at + 1:]
    line = sum(1 for s in _line_starts(data) if s <= at)
    return Mutant("csv-add-delimiter" if add else "csv-delete-delimiter", f"line{line}-at{at}", out)


@st.composite
def csv_value_text(draw, data: bytes, encoding: str) -> Mutant:
    lines = data.decode(encoding).split("\r\n")
    line = draw(st.integers(1, len([x for x in lines if x]) - 1))
    fields = lines[line].split(",")
    column = draw(st.integers(1, len(fields) - 1))
    choices = REFUSED_NUMBERS + [r.decode() for r in _respellings(fields[column].encode())]
    fields[column] = draw(st.sampled_from(choices))
    lines[line] = ",".join(fields)
    return Mutant("csv-value-text", f"line{line + 1}-col{column + 1}-{fields[column]}",
                  "\r\n".join(lines).encode(encoding))


def encodable(data: bytes, encoding: str) -> list[str]:
    """The ENCODINGS the text of `data` (in `encoding`) can be written in."""
    text = data.decode(encoding)
    found = []
    for target in ENCODINGS:
        try:
            text.encode(target)
        except UnicodeEncodeError:
            continue
        found.append(target)
    return found


@st.composite
def csv_reencode(draw, data: bytes, encoding: str) -> Mutant:
    target = draw(st.sampled_from(encodable(data, encoding)))
    return Mutant("csv-reencode", target, data.decode(encoding).encode(target))


def csv_drop_final_newline(data: bytes):
    return st.just(Mutant("csv-drop-final-newline", "crlf", data.rstrip(b"\r\n")))


def strategies_for(data: bytes, suffix: str, encoding: str | None = None) -> dict:
    """kind → strategy of Mutants of `data`, for every kind that applies to it."""
    kinds = {"byte-flip": byte_flip(data), "byte-delete": byte_delete(data), "byte-insert": byte_insert(data),
             "byte-truncate": byte_truncate(data)}
    if suffix == ".xlsx":
        parts = parts_of(data)
        for kind in SHEET_KINDS + STRINGS_KINDS:
            if kind.part in parts:
                kinds[kind.kind] = kind(data)
    elif suffix == ".csv":
        kinds.update({
            "csv-truncate-header": csv_truncate(data, "header"),
            "csv-truncate-row": csv_truncate(data, "row"),
            "csv-truncate-line-end": csv_truncate(data, "line-end"),
            "csv-delete-delimiter": csv_delimiter(data, add=False),
            "csv-add-delimiter": csv_delimiter(data, add=True),
            "csv-value-text": csv_value_text(data, encoding),
            "csv-reencode": csv_reencode(data, encoding),
            "csv-drop-final-newline": csv_drop_final_newline(data),
        })
    return kinds
