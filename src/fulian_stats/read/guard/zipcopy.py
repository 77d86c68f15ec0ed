"""An .xlsx (a zip) checked member by member and rebuilt for calamine.

calamine never reads the file itself: it is given a zip rebuilt here from the members
this module parsed, inflated and checked, under the names they were checked by, so that
no second directory, forged end record or oddly spelt name can show calamine a part
that was not checked. Zip bombs are refused from the sizes the zip declares, before
anything is inflated, and again from the real ones, with the checksums. The parts are
stored in the copy as inflated here, so that calamine does not inflate them again.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import NamedTuple

from fulian_stats.read.guard import GridError, SheetFacts, Vetted, damaged, too_large
from fulian_stats.read.guard.parts import PACKAGE_RELS, READ_AT_OPEN, RELS, SHEET_FOLDERS, sheet_names, targets
from fulian_stats.read.guard.xml import (
    XmlProblem,
    cells_out_of_order,
    error_cells,
    formulas_without_values,
    has_empty_strings,
    hidden_rows_and_columns,
    merged_cells_first,
    shared_strings_claimed,
    values_written,
    xml_problem,
)
from fulian_stats.read.limits import MB, Limits

DEFLATE_MAX_RATIO = 1032  # no deflate stream inflates more; used to bound lying sizes
# The copy holds its parts stored as inflated here up to this size (the parts beyond it
# keep their deflated bytes): past it, holding the copy costs more than inflating twice.
STORED_MAX_BYTES = 16 * MB
_ONE_CALL_BYTES = 10 * MB  # a member that cannot inflate beyond this is inflated in one call

_ZIP_MAGIC = b"PK\x03\x04"
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_CENTRAL_SIG = b"PK\x01\x02"
_END_SIG = b"PK\x05\x06"
_LOCAL = struct.Struct("<4s5H3L2H")
_DOS_1980 = 0x21  # 1 January 1980, the earliest date a zip can hold
_UNICODE_PATH = 0x7075
_END_SEARCH = 22 + 65_535  # the end record and the longest comment a zip can have


class _Member(NamedTuple):
    name: str
    method: int
    compressed: int
    size: int
    offset: int
    crc: int = 0
    flags: int = 0
    alias: str = ""  # the name of an Info-ZIP Unicode path field, which readers may use instead


def copy_zip(data: bytes, limits: Limits) -> Vetted | None:
    """Check every part calamine could read as a sheet (those in the sheet folders, and
    any the workbook's relationships call a sheet) and the shared strings; return them
    rebuilt as the zip calamine is to read, which holds only the parts calamine reads.
    None for bytes that hold no zip. A zip is found wherever its directory is, as
    calamine finds one."""
    if not data.startswith(_ZIP_MAGIC) and _end_record(data) < 0:
        return None
    members = _members(data)
    if members is None:
        return None
    _check_sizes(members, limits)
    # calamine's zip reader takes `\` for `/`; a Unicode path field names the member too.
    named = [(m, (m.alias or m.name).replace("\\", "/")) for m in members]
    by_key = {name.lower(): m for m, name in named}
    if len(by_key) < len(members):  # which of two calamine would take is its affair: neither
        raise damaged("压缩包中有重名的文件")
    parts: dict[str, bytes] = {}  # name (lower case) → inflated bytes
    if RELS in by_key:
        parts[RELS] = _inflate(data, by_key[RELS])
    as_sheets, as_strings, as_styles = targets(parts.get(RELS, b""))
    facts: list[SheetFacts] = []
    copied = [("_rels/.rels", PACKAGE_RELS, zipfile.ZIP_STORED, zlib.crc32(PACKAGE_RELS), len(PACKAGE_RELS))]
    room = STORED_MAX_BYTES - len(data)
    broken: list[tuple[str, XmlProblem]] = []  # (part, what is wrong), named once the sheet names are known
    empty_strings = False
    for m, name in named:
        key = name.lower()
        strings = key == "xl/sharedstrings.xml" or key in as_strings
        if not (key.startswith(SHEET_FOLDERS) or strings or key in READ_AT_OPEN or key in as_sheets
                or key in as_styles):
            continue  # nothing calamine reads: left out of its copy (themes, pictures, document properties)
        if m.flags & 1:
            raise damaged(f"“{m.name}”已加密")
        # Every part in the copy is inflated here: any of them could be read as a sheet
        # (a <sheet> may point at the styles or the workbook itself), whatever the
        # relationships seem to say, so each one that holds cells is checked.
        xml = parts[key] if key == RELS else _inflate(data, m)
        stored, crc = xml, m.crc
        is_sheet = key.startswith("xl/worksheets/") or b"sheetData" in xml
        if is_sheet or strings:
            problem = xml_problem(xml) or (cells_out_of_order(xml) if is_sheet else None)
            if problem is not None:
                broken.append((key, problem))
        if is_sheet:
            facts.append(SheetFacts(name, len(xml), values_written(xml), formulas_without_values(xml), error_cells(xml),
                                    *hidden_rows_and_columns(xml)))
            stored = merged_cells_first(xml)
            if stored is not xml:
                crc = zlib.crc32(stored)
        if strings:
            if shared_strings_claimed(xml) > len(xml) // 4:
                raise damaged("共享字符串表声明的条数超过文件所能容纳的")
            empty_strings = empty_strings or has_empty_strings(xml)
        parts[key] = xml
        if len(stored) <= room:
            room -= len(stored)
            copied.append((name, stored, zipfile.ZIP_STORED, crc, len(stored)))
        elif stored is xml:  # beyond the copy's room: calamine inflates it again
            copied.append((name, _compressed(data, m), m.method, m.crc, m.size))
        else:
            copied.append((name, _deflated(stored), zipfile.ZIP_DEFLATED, crc, len(stored)))
    names = sheet_names(parts.get("xl/workbook.xml", b""), parts.get(RELS, b""))
    if broken:
        raise _broken(*broken[0], names, {f.part.lower() for f in facts})
    vetted = Vetted(_zipped(copied), largest_part=max(m.size for m in members), empty_strings=empty_strings)
    for part in facts:
        shown = names.get(part.part.lower())
        if not shown:
            vetted.unplaced_formulas.extend(part.formulas)
        for sheet in shown or ():
            vetted.sheets[sheet] = part
    return vetted


def _check_sizes(members: list[_Member], limits: Limits) -> None:
    if not members:
        raise damaged("压缩包的目录是空的")
    if len(members) > limits.members:
        raise damaged(f"压缩包中有{len(members)}个文件，远多于一个工作簿")
    declared = sum(m.size for m in members)
    if declared > limits.unzipped_bytes:
        raise too_large(f"文件解压后有{declared // MB}MB，超过{limits.unzipped_bytes // MB}MB的上限，"
                        "疑似压缩炸弹，已拒绝读取；请确认文件是否正确", limit=limits.unzipped_bytes)
    for m in members:
        if m.size > limits.ratio_from_bytes and m.size > limits.ratio * max(m.compressed, 1):
            raise too_large(f"文件中“{m.name}”的压缩比达{m.size // max(m.compressed, 1)}倍，"
                            "疑似压缩炸弹，已拒绝读取；请确认文件是否正确", limit=limits.ratio)


def _broken(part: str, problem: XmlProblem, names: dict[str, list[str]], sheet_parts: set[str]) -> GridError:
    sheet = next(iter(names.get(part, ())), None)
    what = f"工作表“{sheet}”" if sheet else ("共享字符串" if part not in sheet_parts else f"“{part}”")
    where = f"{problem.cell}单元格附近" if problem.cell and problem.near else ""
    return GridError("FILE_UNREADABLE", f"文件已损坏：{what}{where}{problem.reason}，无法可靠地读出数值；"
                     "请在Excel或WPS中打开并另存后重新报送", sheet=sheet, cell=problem.cell)


# -- reading the zip ----------------------------------------------------------------------

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
        raise damaged("压缩格式的版本不受支持" if isinstance(exc, NotImplementedError) else "压缩包的目录无法读取",
                      detail=str(exc)[:200]) from None


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
    member's checksum are damage. An offset before the file's start (zipfile's, from a
    directory that says it lies further on than it does) is damage too."""
    raw = _compressed(data, member)
    if member.method == zipfile.ZIP_STORED:
        out = raw
    elif member.method == zipfile.ZIP_DEFLATED:
        try:
            if len(raw) * DEFLATE_MAX_RATIO <= _ONE_CALL_BYTES:
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


# -- writing the copy -----------------------------------------------------------------------

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
