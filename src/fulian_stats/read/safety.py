"""Safety checks that run before python-calamine sees a workbook.

calamine builds every sheet as one dense block of rows × columns, so a file of a few
hundred bytes with cells at A1 and XFD1048576 makes it allocate half a terabyte and
abort the whole process; it also trusts a zip's sizes. So the raw bytes are looked at
first: an encrypted package is named as such, a zip bomb is refused from its
declared sizes (and from the real ones, checked while inflating, with the checksums),
and each worksheet's XML is scanned for how far its cells reach and for formulas that
were never calculated (calamine reads those as blank and does not say so).

The scan is cheap for the usual file: worksheets are inflated once and searched with
three patterns; only an unusual sheet (a row or cell without a small `r="A1"`
reference, namespace prefixes) is walked tag by tag. calamine is then given the
workbook with those worksheets stored as inflated here, so that it does not inflate
them a second time (nor walk them again for merged ranges the tool does not use).
An .xls is checked the same way from its BIFF records (xlsscan.py).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

MB = 1 << 20
# A month's form is about 10 KB and a county's yearly summary under 5 MB; this is far
# above any real submission and still small enough to hold in memory.
MAX_FILE_BYTES = 64 * MB
# Zip bombs: refused from the sizes the zip declares, before anything is inflated.
MAX_UNZIPPED_BYTES = 256 * MB
MAX_RATIO, RATIO_MIN_BYTES = 200, 10 * MB  # real workbooks compress 5-20 times
DEFLATE_MAX_RATIO = 1032  # no deflate stream inflates more; used to bound lying sizes
# calamine and to_python() cost about 40 bytes per cell of a sheet's bounding box.
MAX_SHEET_CELLS = 2_000_000
# Excel's own limit for one cell; anything longer was not typed in a spreadsheet.
MAX_CELL_CHARS = 32_767
MAX_TAG_BYTES = 4096  # a row or cell tag longer than this is not a spreadsheet's
# calamine's copy of a workbook with its worksheets stored (the file and the inflated
# worksheets) is made up to this size; beyond it, holding the copy costs more than
# inflating twice costs time.
STORED_MAX_BYTES = 16 * MB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # stream name in the OLE directory
_ZIP_MAGIC = b"PK\x03\x04"


class GridError(Exception):
    """A file that cannot be turned into cells; carries a finding code and message."""

    def __init__(self, code: str, message: str, row: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row = row


def too_large(message: str) -> GridError:
    return GridError("FILE_TOO_LARGE", message)


def is_encrypted_package(data: bytes) -> bool:
    """Excel and WPS save a workbook with an open password as an OLE compound file
    holding an `EncryptionInfo` stream (an .xls is an OLE file too, without it)."""
    return data.startswith(OLE_MAGIC) and _ENCRYPTION_INFO in data


@dataclass
class SheetScan:
    """What a worksheet part's XML shows before calamine reads it."""

    part: str
    cells: int = 0  # cells in the bounding box calamine will allocate
    rows: int = 0
    cols: int = 0
    formulas: list[str] = field(default_factory=list)  # cells (A1) with a formula and no saved value

    @property
    def too_large(self) -> bool:
        return self.cells > MAX_SHEET_CELLS


@dataclass
class ZipScan:
    sheets: list[SheetScan] = field(default_factory=list)
    largest_part: int = 0  # bytes of the largest part: no cell text is longer
    names: dict[str, str] | None = None  # part → sheet name, read only when needed
    workbook: bytes | None = None  # the file with its worksheets stored uncompressed, for calamine


# -- the zip ----------------------------------------------------------------------------

_CENTRAL = struct.Struct("<4s6H3L5H2L")
_CENTRAL_SIG = b"PK\x01\x02"
_END_SIG = b"PK\x05\x06"
_LOCAL = struct.Struct("<4s5H3L2H")
_DOS_1980 = 0x21  # 1 January 1980, the earliest date a zip can hold


class _Member(NamedTuple):
    name: str
    method: int
    compressed: int
    size: int
    offset: int
    crc: int = 0
    flags: int = 0
    raw_name: bytes = b""  # as stored; empty where zipfile read the directory
    entry: int = -1  # where its entry in the central directory starts
    alias: str = ""  # the name of an Info-ZIP Unicode path field, which readers may use instead


_UNICODE_PATH = 0x7075
_END_SEARCH = 22 + 65_535  # the end record and the longest comment a zip can have


def _end_record(data: bytes) -> int:
    """Where the zip's end record starts, -1 for none."""
    return data.rfind(_END_SIG, max(0, len(data) - _END_SEARCH))


def _alias(extra: bytes) -> str:
    """The name in an Info-ZIP Unicode path extra field (version, CRC of the name, name)."""
    pos = 0
    while pos + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, pos)
        if kind == _UNICODE_PATH and size >= 5:
            return extra[pos + 9:pos + 4 + size].decode("utf-8", "replace")
        pos += 4 + size
    return ""


def _members(data: bytes) -> list[_Member] | None:
    """Members from the central directory; a zip this fast path does not understand
    (zip64, bytes before the zip, damage) goes to zipfile, whose error becomes the
    finding when the file starts as a zip (else it is no zip: None)."""
    end = _end_record(data)
    if end >= 0 and end + 22 <= len(data):
        count, _size, pos = struct.unpack_from("<HLL", data, end + 10)
        members = []
        for _ in range(count):
            if pos + 46 > len(data):
                break
            (sig, _made, _need, flags, method, _time, _date, crc, compressed, size,
             name_len, extra_len, comment_len, _disk, _iattr, _eattr, offset) = _CENTRAL.unpack_from(data, pos)
            if sig != _CENTRAL_SIG or 0xFFFFFFFF in (compressed, size, offset):
                break
            raw_name = data[pos + 46:pos + 46 + name_len]
            alias = _alias(data[pos + 46 + name_len:pos + 46 + name_len + extra_len]) if extra_len else ""
            members.append(_Member(raw_name.decode("utf-8", "replace"), method, compressed, size, offset,
                                   crc, flags, raw_name, pos, alias))
            pos += 46 + name_len + extra_len + comment_len
        else:
            return members
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [_Member(i.filename, i.compress_type, i.compress_size, i.file_size, i.header_offset,
                            i.CRC, i.flag_bits, alias=_alias(i.extra)) for i in archive.infolist()]
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        if not data.startswith(_ZIP_MAGIC):
            return None
        raise GridError("FILE_UNREADABLE", f"不是有效的Excel文件或文件已损坏（{exc}）；"
                        "请在Excel或WPS中打开并另存后重新报送") from None


def _inflate(data: bytes, member: _Member) -> bytes:
    """The member's bytes, never more than it declares: a zip that lies about its
    sizes to get past the bomb check is caught here. Bytes that do not match the
    member's checksum are damage (calamine noticed it only when it read a member to
    its end, which it no longer does for the worksheets of its copy). An offset before
    the file's start (zipfile's, from a directory that says it lies further on than it
    does) is damage too."""
    if member.offset < 0 or member.offset + 30 > len(data):
        raise damaged()
    sig, *_rest, name_len, extra_len = _LOCAL.unpack_from(data, member.offset)
    start = member.offset + 30 + name_len + extra_len
    raw = data[start:start + member.compressed]
    if member.method == zipfile.ZIP_STORED:
        out = raw
    elif member.method == zipfile.ZIP_DEFLATED:
        try:
            if len(raw) * DEFLATE_MAX_RATIO <= RATIO_MIN_BYTES:
                out = zlib.decompress(raw, -15, member.size)  # small whatever it holds: one call
            else:
                stream = zlib.decompressobj(-15)
                out = stream.decompress(raw, member.size + 1)
                if not stream.eof and len(out) <= member.size:
                    raise damaged()  # cut short, as the one-call path says too
        except zlib.error:
            raise damaged() from None
    else:
        return b""  # calamine cannot read other methods either: it reports the error
    if len(out) > member.size:
        raise too_large(f"压缩包中“{member.name}”的实际大小超过其声明的{member.size}字节，"
                        "疑似恶意构造的文件，已拒绝读取；请在Excel或WPS中打开并另存后重新报送")
    if zlib.crc32(out) != member.crc:
        raise damaged(f"“{member.name}”的校验和不符")
    return out


def damaged(reason: str = "压缩数据不完整") -> GridError:
    return GridError("FILE_UNREADABLE", f"不是有效的Excel文件或文件已损坏（{reason}）；"
                     "请在Excel或WPS中打开并另存后重新报送")


# Parts calamine reads in full when it opens a workbook (besides the worksheets).
_READ_AT_OPEN = {"xl/sharedstrings.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


def scan_zip(data: bytes) -> ZipScan | None:
    """Refuse zip bombs; scan every worksheet part (calamine finds worksheets under
    `xl/worksheets/`, matching names without regard to case). None for bytes that hold
    no zip. A zip is found wherever its directory is, as calamine finds it: junk in
    front of a zip does not hide it."""
    if not data.startswith(_ZIP_MAGIC) and _end_record(data) < 0:
        return None
    members = _members(data)
    if members is None:
        return None
    declared = sum(m.size for m in members)
    if declared > MAX_UNZIPPED_BYTES:
        raise too_large(f"文件解压后有{declared // MB}MB，超过{MAX_UNZIPPED_BYTES // MB}MB的上限，"
                        "疑似压缩炸弹，已拒绝读取；请确认文件是否正确")
    for m in members:
        if m.size > RATIO_MIN_BYTES and m.size > MAX_RATIO * max(m.compressed, 1):
            raise too_large(f"文件中“{m.name}”的压缩比达{m.size // max(m.compressed, 1)}倍，"
                            "疑似压缩炸弹，已拒绝读取；请确认文件是否正确")
    scan = ZipScan(largest_part=max((m.size for m in members), default=0))
    inflated: dict[int, bytes] = {}  # deflated worksheets kept for calamine's copy
    room = STORED_MAX_BYTES - len(data)
    for i, m in enumerate(members):
        key = m.name.lower()
        # A member is a worksheet by either of its names: which one calamine goes by is its affair.
        if key.startswith("xl/worksheets/") or m.alias.lower().startswith("xl/worksheets/"):
            xml = _inflate(data, m)
            scan.sheets.append(scan_sheet_xml(m.alias or m.name, xml))
            if m.method == zipfile.ZIP_DEFLATED and len(xml) <= room:
                inflated[i], room = xml, room - len(xml)
        elif key in _READ_AT_OPEN and m.compressed * DEFLATE_MAX_RATIO > RATIO_MIN_BYTES:
            _inflate(data, m)  # big enough to hide a bomb behind a false size: check it
    if any(s.too_large or s.formulas for s in scan.sheets):
        scan.names = _sheet_names(data, members)
    scan.workbook = _with_worksheets_stored(data, members, inflated)
    return scan


def _with_worksheets_stored(data: bytes, members: list[_Member], inflated: dict[int, bytes]) -> bytes | None:
    """The zip with each deflated worksheet added again after the other members,
    stored as the XML inflated above, and a copy of the central directory that points
    there: calamine then reads the same parts without inflating the largest ones a
    second time (a tenth of its work on a monthly form), nor walking them again for
    merged ranges (`_merged_cells_skipped`). Everything else stays as it was (the other
    members and their checksums, the end record but for where the directory starts, its
    comment), so a damaged file fails as before, but for damage after a worksheet's
    cells, which goes unread. None for a zip this does not copy
    (encrypted or damaged members, a directory zipfile had to read, one not just before
    the end record), or with nothing to gain. The caller keeps the copy small
    (STORED_MAX_BYTES)."""
    deflated = [i for i in inflated if not members[i].flags & 1 and data.startswith(_ZIP_MAGIC, members[i].offset)]
    if len(deflated) < len(inflated) or not deflated or members[0].entry < 0:
        return None
    end = _end_record(data)  # found: the directory was read from it
    _count, size, start = struct.unpack_from("<HLL", data, end + 10)
    if members[0].entry != start or start + size != end:
        return None
    directory = bytearray(data[start:end])
    added, at = [], start
    for i in deflated:
        m = members[i]
        xml, crc = _merged_cells_skipped(inflated[i], m.crc)
        flags = m.flags & 0x0800  # names in UTF-8; the sizes are in the header, not after the data
        added += [_LOCAL.pack(_ZIP_MAGIC, 20, flags, zipfile.ZIP_STORED, 0, _DOS_1980, crc, len(xml), len(xml),
                              len(m.raw_name), 0), m.raw_name, xml]
        entry = m.entry - start
        struct.pack_into("<HH", directory, entry + 8, flags, zipfile.ZIP_STORED)
        struct.pack_into("<L", directory, entry + 16, crc)
        struct.pack_into("<LL", directory, entry + 20, len(xml), len(xml))
        struct.pack_into("<L", directory, entry + 42, at)
        at += _LOCAL.size + len(m.raw_name) + len(xml)
    record = bytearray(data[end:])
    struct.pack_into("<L", record, 16, at)  # where the directory starts now
    return b"".join([memoryview(data)[:start], *added, directory, record])


# python-calamine reads every sheet's merged ranges along with its cells: a second walk
# of the XML, to the <mergeCells> that follows the cells (a fifth of a bare read's
# instructions on a monthly form; there is no option to skip it). The tool never uses
# them, so the copy gets an empty one just before <sheetData>, where that walk then
# stops. The cells are read as before: calamine's cell reader passes over whatever comes
# before <sheetData>, and the element holds no cell, so the scan's bounds still hold.
_NO_MERGED_CELLS = b"<mergeCells></mergeCells>"
_AFTER_NAME = frozenset(b" \t\r\n/>")


def _merged_cells_skipped(xml: bytes, crc: int) -> tuple[bytes, int]:
    """The worksheet's XML with the empty <mergeCells> in front of <sheetData>, and its
    checksum (the scan checked the old one). As it was where the first `<sheetData`
    might not be the element: after a comment, CDATA or DTD (`<!`), which could hold
    it as text, or after a prefixed `:sheetData`, whose cells could.

    Damage after the cells (say, XML cut short after </sheetData>) was seen only by
    this walk: the copy's cells are read whole and the rest goes unread, as it does
    in the tool anyway."""
    at = xml.find(b"<sheetData")
    if at < 0 or at + 10 >= len(xml) or xml[at + 10] not in _AFTER_NAME \
            or xml.find(b"<!", 0, at) >= 0 or xml.find(b":sheetData", 0, at) >= 0:
        return xml, crc
    xml = b"".join((xml[:at], _NO_MERGED_CELLS, xml[at:]))
    return xml, zlib.crc32(xml)


# -- one worksheet's XML --------------------------------------------------------------------

# Every row and cell tag of a usual sheet opens with a small reference (`<row r="12"`,
# `<c r="D12"`: at most row 999 and column ZZ); then no cell lies beyond 999 × 702.
_UNUSUAL_TAG = re.compile(rb'<(?:c|row)(?:[>/]|\s(?!r="[A-Za-z]{0,2}[1-9]\d{0,2}"))')
_PREFIXED_TAG = re.compile(rb':(?:c|row|f)[\s/>]')
_ROW_OR_CELL = re.compile(rb'<(/?)(?:[^\s<>/!?:]+:)?(row|c)(?=[\s/>])')
_ATTRS = re.compile(rb'((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>')
_ATTR = re.compile(rb'\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb'([A-Za-z]*)(\d+)')
_HUGE = 1 << 31
# A formula element not followed by a value (`<v>` with text): never calculated.
_FORMULA_NO_VALUE = re.compile(
    rb'<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f>)(?!\s*<(?:[\w.-]+:)?v(?:\s[^>]*)?>\s*[^<\s])')
_FORMULA_END = re.compile(rb"f>")  # `</f>` or `<f>`; a literal search, the cheapest there is
_STRING_RESULT = re.compile(rb'\st\s*=\s*["\']str["\']')


def scan_sheet_xml(part: str, xml: bytes) -> SheetScan:
    scan = SheetScan(part)
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


def _r_attribute(attrs: bytes) -> bytes | None:
    """The raw `r` attribute of a tag, read attribute by attribute (a search could
    find `r=` inside another attribute's value)."""
    pos = 0
    while (attr := _ATTR.match(attrs, pos)) is not None:
        if attr.group(1) == b"r":
            return attr.group(2) if attr.group(2) is not None else attr.group(3)
        pos = attr.end()
    return None


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
        start = max(xml.rfind(b"<c ", 0, match.start()), xml.rfind(b"<c>", 0, match.start()))
        attrs = _ATTRS.match(xml, start + 2, start + 2 + MAX_TAG_BYTES) if start >= 0 else None
        tag = attrs.group(1) if attrs else b""
        if _STRING_RESULT.search(tag) and re.match(rb'\s*<(?:[\w.-]+:)?v\b', xml[match.end():match.end() + 64]):
            continue  # `t="str"` with an empty <v>: the formula's result is an empty text
        ref = _r_attribute(tag) or b""
        cells.append(ref.decode("ascii", "replace").upper() if _REF.fullmatch(ref) else "")
    return cells


# -- part → sheet name ------------------------------------------------------------------

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _sheet_names(data: bytes, members: list[_Member]) -> dict[str, str]:
    """Worksheet part (lower case) → sheet name, from xl/workbook.xml and its
    relationships, resolved as calamine does; empty when they cannot be read."""
    from defusedxml import ElementTree

    parts = {m.name.lower(): m for m in members}
    try:
        rels = ElementTree.fromstring(_inflate(data, parts["xl/_rels/workbook.xml.rels"]))
        book = ElementTree.fromstring(_inflate(data, parts["xl/workbook.xml"]))
    except (KeyError, GridError, ValueError, ElementTree.ParseError):
        return {}
    except Exception:  # noqa: BLE001 - defusedxml refuses entities and DTDs with its own errors
        return {}
    targets = {}
    for rel in rels.iter():
        target, rel_id = rel.get("Target"), rel.get("Id")
        if target and rel_id:
            path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
            targets[rel_id] = path.lower()
    names = {}
    for sheet in book.iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = sheet.get(f"{{{_REL_NS}}}id") or next(
            (v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rel_id in targets and sheet.get("name") is not None:
            names[targets[rel_id]] = sheet.get("name")
    return names
