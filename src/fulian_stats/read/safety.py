"""Safety checks that run before python-calamine sees a workbook.

calamine builds every sheet as one dense block of rows × columns, so a file of a few
hundred bytes with cells at A1 and XFD1048576 makes it allocate half a terabyte and
abort the whole process; it also trusts a zip's sizes and the counts a part claims. So
the raw bytes are looked at first: an encrypted package is named as such, a zip bomb
is refused from its declared sizes (and from the real ones, checked while inflating,
with the checksums), and every part that could be read as a worksheet is scanned for
how far its cells reach and for formulas never calculated (sheetxml.py).

calamine never reads the file itself: it is given a zip rebuilt here from the members
this module parsed, inflated and checked, under the names it scanned them by, so that
no second directory, forged end record or oddly spelt name can show calamine a part
the scan did not see. A worksheet too large to read is an empty sheet in that copy.
The parts are stored as inflated here, so that calamine does not inflate them a second
time (nor walk a worksheet again for the merged ranges the tool does not use).
An .xls is checked the same way from its BIFF records (xlsscan.py).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from fulian_stats.read.xmlcheck import XmlProblem, has_empty_strings, values_written, xml_problem
from fulian_stats.read.sheetxml import (  # noqa: F401 - MAX_SHEET_CELLS is the limit of xlsscan.py too
    MAX_SHEET_CELLS,
    SheetScan,
    merged_cells_first,
    scan_sheet_xml,
    shared_strings_claimed,
    tag_attributes,
)

MB = 1 << 20
# A month's form is about 10 KB and a county's yearly summary under 5 MB; this is far
# above any real submission and still small enough to hold in memory.
MAX_FILE_BYTES = 64 * MB
# Zip bombs: refused from the sizes the zip declares, before anything is inflated.
MAX_UNZIPPED_BYTES = 256 * MB
MAX_RATIO, RATIO_MIN_BYTES = 200, 10 * MB  # real workbooks compress 5-20 times
DEFLATE_MAX_RATIO = 1032  # no deflate stream inflates more; used to bound lying sizes
# Excel's own limit for one cell; anything longer was not typed in a spreadsheet.
MAX_CELL_CHARS = 32_767
# calamine's copy of a workbook holds its parts stored as inflated here up to this size
# (the parts beyond it keep their deflated bytes): past it, holding the copy costs
# more than inflating twice costs time.
STORED_MAX_BYTES = 16 * MB
MAX_MEMBERS = 65_535  # as many as a zip without zip64 holds; a workbook has a dozen or so
# Text the shared strings may expand to, each cell that names one getting its own copy
# in calamine and again in Python: one 32,000-character string named by 100,000 cells
# is 3.2 GB twice over, from a 200 KB file.
MAX_STRING_BYTES = 1024 * MB
_CELL_MIN_BYTES = 20  # `<c t="s"><v>0</v></c>`: no cell naming a string is shorter

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # stream name in the OLE directory
_ZIP_MAGIC = b"PK\x03\x04"


class GridError(Exception):
    """A file that cannot be turned into cells; carries a finding code and message (and
    the sheet and cell, where the damage is known to be)."""

    def __init__(self, code: str, message: str, row: int | None = None, sheet: str | None = None,
                 cell: str | None = None, values: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row, self.sheet, self.cell, self.values = row, sheet, cell, values or {}


def too_large(message: str) -> GridError:
    return GridError("FILE_TOO_LARGE", message)


def is_encrypted_package(data: bytes) -> bool:
    """Excel and WPS save a workbook with an open password as an OLE compound file
    holding an `EncryptionInfo` stream (an .xls is an OLE file too, without it)."""
    return data.startswith(OLE_MAGIC) and _ENCRYPTION_INFO in data


@dataclass
class ZipScan:
    sheets: list[SheetScan] = field(default_factory=list)
    largest_part: int = 0  # bytes of the largest part: no cell text is longer
    names: dict[str, list[str]] | None = None  # part (lower case) → its sheets' names
    workbook: bytes | None = None  # the zip rebuilt for calamine from the members scanned
    empty_strings: bool = False  # some shared string is empty: a cell naming one is read as empty


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
                                   crc, flags, alias))
            pos += 46 + name_len + extra_len + comment_len
        else:
            return members
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [_Member(i.orig_filename, i.compress_type, i.compress_size, i.file_size, i.header_offset,
                            i.CRC, i.flag_bits, _alias(i.extra)) for i in archive.infolist()]
    except Exception as exc:  # noqa: BLE001 - BadZipFile, and what it lets through (NotImplementedError, struct.error)
        if not data.startswith(_ZIP_MAGIC):
            return None
        raise damaged("压缩格式的版本不受支持" if isinstance(exc, NotImplementedError) else str(exc)) from None


def _compressed(data: bytes, member: _Member) -> bytes:
    """The member's bytes as stored, found through its local header."""
    if member.offset < 0 or member.offset + 30 > len(data):
        raise damaged()
    _sig, *_rest, name_len, extra_len = _LOCAL.unpack_from(data, member.offset)
    start = member.offset + 30 + name_len + extra_len
    return data[start:start + member.compressed]


def _inflate(data: bytes, member: _Member) -> bytes:
    """The member's bytes, never more than it declares: a zip that lies about its
    sizes to get past the bomb check is caught here. Bytes that do not match the
    member's checksum are damage (calamine noticed it only when it read a member to
    its end, which it no longer does for the worksheets of its copy). An offset before
    the file's start (zipfile's, from a directory that says it lies further on than it
    does) is damage too."""
    raw = _compressed(data, member)
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
        raise damaged(f"“{member.name}”的压缩方式（{member.method}）不受支持")
    if len(out) > member.size:
        raise too_large(f"压缩包中“{member.name}”的实际大小超过其声明的{member.size}字节，"
                        "疑似恶意构造的文件，已拒绝读取；请在Excel或WPS中打开并另存后重新报送")
    if zlib.crc32(out) != member.crc:
        raise damaged(f"“{member.name}”的校验和不符")
    return out


def damaged(reason: str = "压缩数据不完整") -> GridError:
    return GridError("FILE_UNREADABLE", f"不是有效的Excel文件或文件已损坏（{reason}）；"
                     "请在Excel或WPS中打开并另存后重新报送")


def scan_zip(data: bytes) -> ZipScan | None:
    """Refuse zip bombs; scan every part calamine could read as a sheet (those in the
    sheet folders, and any the workbook's relationships call a sheet), and the shared
    strings. Returns the scan with the rebuilt zip calamine is to read, which holds
    only the parts calamine reads; None for bytes that hold no zip. A zip is found
    wherever its directory is, as calamine finds one."""
    if not data.startswith(_ZIP_MAGIC) and _end_record(data) < 0:
        return None
    members = _members(data)
    if members is None:
        return None
    if not members:
        raise damaged("压缩包的目录是空的")
    if len(members) > MAX_MEMBERS:
        raise damaged(f"压缩包中有{len(members)}个文件，远多于一个工作簿")
    declared = sum(m.size for m in members)
    if declared > MAX_UNZIPPED_BYTES:
        raise too_large(f"文件解压后有{declared // MB}MB，超过{MAX_UNZIPPED_BYTES // MB}MB的上限，"
                        "疑似压缩炸弹，已拒绝读取；请确认文件是否正确")
    for m in members:
        if m.size > RATIO_MIN_BYTES and m.size > MAX_RATIO * max(m.compressed, 1):
            raise too_large(f"文件中“{m.name}”的压缩比达{m.size // max(m.compressed, 1)}倍，"
                            "疑似压缩炸弹，已拒绝读取；请确认文件是否正确")
    scan = ZipScan(largest_part=max((m.size for m in members), default=0))
    # calamine's zip reader takes `\` for `/`; a Unicode path field names the member too.
    named = [(m, (m.alias or m.name).replace("\\", "/")) for m in members]
    by_key = {name.lower(): m for m, name in named}
    if len(by_key) < len(members):  # which of two calamine would take is its affair: neither
        raise damaged("压缩包中有重名的文件")
    parts: dict[str, bytes] = {}  # name (lower case) → inflated bytes
    if _RELS in by_key:
        parts[_RELS] = _inflate(data, by_key[_RELS])
    as_sheets, as_strings, as_styles = _targets(parts.get(_RELS, b""))
    shared = []  # the shared-strings parts, inflated
    copied = [("_rels/.rels", _PACKAGE_RELS, zipfile.ZIP_STORED, zlib.crc32(_PACKAGE_RELS), len(_PACKAGE_RELS))]
    room = STORED_MAX_BYTES - len(data)
    broken: list[tuple[str, XmlProblem]] = []  # (part, what is wrong), named once every part is read
    for m, name in named:
        key = name.lower()
        strings = key == "xl/sharedstrings.xml" or key in as_strings
        if not (key.startswith(_SHEET_FOLDERS) or strings or key in _READ_AT_OPEN or key in as_sheets
                or key in as_styles):
            continue  # nothing calamine reads: left out of its copy (themes, pictures, document properties)
        if m.flags & 1:
            raise damaged(f"“{m.name}”已加密")
        # Every part in the copy is inflated here: any of them could be read as a sheet
        # (a <sheet> may point at the styles or the workbook itself), whatever the
        # relationships seem to say, so each one that holds cells is scanned.
        xml = parts[key] if key == _RELS else _inflate(data, m)
        stored, crc = xml, m.crc
        if key.startswith("xl/worksheets/") or b"sheetData" in xml or strings:
            problem = xml_problem(xml)
            if problem is not None:
                broken.append((key, problem))
        if key.startswith("xl/worksheets/") or b"sheetData" in xml:
            found = scan_sheet_xml(name, xml)
            found.values = values_written(xml)
            scan.sheets.append(found)
            stored = _EMPTY_SHEET if found.too_large else merged_cells_first(xml)
            if stored is not xml:
                crc = zlib.crc32(stored)
        if strings:
            if shared_strings_claimed(xml) > len(xml) // 4:
                raise damaged("共享字符串表声明的条数超过文件所能容纳的")
            shared.append(xml)
            scan.empty_strings = scan.empty_strings or has_empty_strings(xml)
        parts[key] = xml
        if len(stored) <= room:
            room -= len(stored)
            copied.append((name, stored, zipfile.ZIP_STORED, crc, len(stored)))
        elif stored is xml:  # beyond the copy's room: calamine inflates it again
            copied.append((name, _compressed(data, m), m.method, m.crc, m.size))
        else:
            copied.append((name, _deflated(stored), zipfile.ZIP_DEFLATED, crc, len(stored)))
    scan.names = _sheet_names(parts.get("xl/workbook.xml", b""), parts.get(_RELS, b""))
    if broken:
        part, problem = broken[0]
        sheet = next(iter(scan.names.get(part, ())), None)
        what = f"工作表“{sheet}”" if sheet else ("共享字符串" if part not in {s.part.lower() for s in scan.sheets}
                                              else f"“{part}”")
        where = f"{problem.cell}单元格附近" if problem.cell else ""
        raise GridError("FILE_UNREADABLE", f"文件已损坏：{what}{where}{problem.reason}，无法可靠地读出数值；"
                        "请在Excel或WPS中打开并另存后重新报送", sheet=sheet, cell=problem.cell)
    _check_string_expansion(scan.sheets, shared)
    scan.workbook = _zipped(copied)
    return scan


def _check_string_expansion(sheets: list[SheetScan], shared: list[bytes]) -> None:
    """Refuse shared strings that the cells would expand beyond MAX_STRING_BYTES: at most
    (the sheets' bytes / the shortest cell) cells × the longest string, the longest taken
    as the whole part first and, only when that is too much, as the widest gap between
    two `<si>`."""
    cells = sum(part.size for part in sheets) // _CELL_MIN_BYTES
    for xml in shared:
        if cells * len(xml) > MAX_STRING_BYTES and cells * _longest_item(xml) > MAX_STRING_BYTES:
            raise too_large(f"共享字符串被大量单元格重复引用，展开后超过{MAX_STRING_BYTES // MB}MB的上限，远大于一份报表，"
                            "已拒绝读取；请确认文件是否正确")


_STRING_ITEM = re.compile(rb'<(?:[\w.-]+:)?si[\s/>]')


def _longest_item(xml: bytes) -> int:
    """Bytes of the longest shared string with its markup (more, where an item's start
    is spelt so that it is not found)."""
    starts = [m.start() for m in _STRING_ITEM.finditer(xml)] + [len(xml)]
    return max(b - a for a, b in zip([0, *starts], starts))


# What calamine reads of a workbook: the parts it opens by name, the folders sheets and
# tables live in, and the sheets, shared strings and styles the workbook's relationships
# point at. A part the relationships name otherwise (a theme, say) is left out of the
# copy: a sheet pointing there is an error for calamine, not a part read unscanned.
# The package's own relationships only tell calamine the file is a workbook: the copy
# has them as Excel writes them.
_RELS = "xl/_rels/workbook.xml.rels"
_READ_AT_OPEN = frozenset({"xl/workbook.xml", _RELS, "xl/styles.xml"})
_PACKAGE_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/macrosheets/", "xl/dialogsheets/", "xl/tables/")


@lru_cache(maxsize=256)  # the workbooks of one template have the same relationships, byte for byte
def _targets(rels: bytes) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The parts (lower case) the workbook's relationships name as sheets, as shared
    strings and as styles: those calamine may read besides the ones it opens by name.
    Each path is resolved as calamine resolves a sheet's, and also with `.` and `..`
    taken out (`xl/./a.xml`). Read otherwise than calamine reads them, a part is left
    out of its copy (an error for calamine), never let in unscanned."""
    sheets, strings, styles = set(), set(), set()
    for kind, target in _relationships(rels):
        path = target.replace("\\", "/").lower()
        path = path[1:] if path.startswith("/") else path if path.startswith("xl/") else "xl/" + path
        paths = {path, posixpath.normpath(path)} if "/." in path else {path}
        if kind.endswith("sheet"):
            sheets |= paths
        elif kind == "sharedstrings":
            strings |= paths
        elif kind == "styles":
            styles |= paths
    return frozenset(sheets), frozenset(strings), frozenset(styles)


# A relationship as the usual writers spell it; any other spelling is read attribute by attribute.
_RELATIONSHIP = re.compile(rb'<Relationship((?: [\w:]+="[^"<>&]*")*) ?/>')


def _relationships(rels: bytes) -> list[tuple[str, str]]:
    """(type's last word, lower case; target) of each relationship."""
    tags = _RELATIONSHIP.findall(rels)
    if len(tags) == rels.count(b"<Relationship") - rels.count(b"<Relationships") and b":Relationship" not in rels \
            and all(tag.count(b' Target="') == 1 and tag.count(b' Type="') <= 1 for tag in tags):
        found = [(_plain_attribute(tag, b"Type"), _plain_attribute(tag, b"Target")) for tag in tags]
    else:
        found = [(attrs.get(b"Type", b""), attrs[b"Target"]) for attrs in tag_attributes(rels, b"Relationship")
                 if attrs and b"Target" in attrs]
        found = [tuple(html.unescape(v.decode("utf-8", "replace")).encode("utf-8") for v in pair) for pair in found]
    return [(kind.decode("utf-8", "replace").rsplit("/", 1)[-1].lower(), target.decode("utf-8", "replace"))
            for kind, target in found]


def _plain_attribute(tag: bytes, name: bytes) -> bytes:
    at = tag.find(b" " + name + b'="')
    if at < 0:
        return b""
    start = at + len(name) + 3
    return tag[start:tag.index(b'"', start)]


# What calamine is given for a worksheet too large to read: a sheet without cells.
_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')


def _deflated(body: bytes) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate, as a zip holds it
    return packer.compress(body) + packer.flush()


def _zipped(parts: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of (name, bytes, method, crc, size) in that order, names in UTF-8, the
    sizes in the headers. No comment: one could hold a second end record."""
    out, directory, at = [], [], 0
    for name, body, method, crc, size in parts:
        raw = name.encode("utf-8", "surrogateescape")
        out += [_LOCAL.pack(_ZIP_MAGIC, 20, 0x0800, method, 0, _DOS_1980, crc, len(body), size, len(raw), 0),
                raw, body]
        directory += [_CENTRAL.pack(_CENTRAL_SIG, 20, 20, 0x0800, method, 0, _DOS_1980, crc, len(body), size,
                                    len(raw), 0, 0, 0, 0, 0, at), raw]
        at += _LOCAL.size + len(raw) + len(body)
    listing = b"".join(directory)
    end = struct.pack("<4s4H2LH", _END_SIG, 0, 0, len(parts), len(parts), len(listing), at, 0)
    return b"".join([*out, listing, end])


# -- part → sheet name ------------------------------------------------------------------

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@lru_cache(maxsize=256)  # the workbooks of one template have the same two parts, byte for byte
def _sheet_names(workbook: bytes, rels: bytes) -> dict[str, list[str]]:
    """Worksheet part (lower case) → the names of the sheets that show it, from
    xl/workbook.xml and its relationships, resolved as calamine does; empty when they
    cannot be read. Only for saying which sheet a finding is about: the copy calamine
    reads is safe whatever the names say."""
    from defusedxml import ElementTree

    try:
        rels = ElementTree.fromstring(rels)
        book = ElementTree.fromstring(workbook)
    except Exception:  # noqa: BLE001 - missing parts, bad XML, and defusedxml's refusals of entities and DTDs
        return {}
    targets = {}
    for rel in rels.iter():
        target, rel_id = rel.get("Target"), rel.get("Id")
        if target and rel_id:
            path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
            targets[rel_id] = path.replace("\\", "/").lower()
    names: dict[str, list[str]] = {}
    for sheet in book.iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = sheet.get(f"{{{_REL_NS}}}id") or next(
            (v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rel_id in targets and sheet.get("name") is not None:
            names.setdefault(targets[rel_id], []).append(sheet.get("name"))
    return names
