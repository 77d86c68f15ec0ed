"""Safety checks of an .xls before python-calamine reads it (see safety.py for why).

An .xls is an OLE compound file; its Workbook stream is a run of BIFF records, and the
records that place cells say how far the sheets reach. calamine allocates each sheet's
whole block of rows × columns and reserves room for the shared strings the file
claims, so both are checked from the records first.
"""

from __future__ import annotations

import struct

from fulian_stats.read.safety import MAX_SHEET_CELLS, OLE_MAGIC, damaged, too_large

_END_OF_CHAIN = 0xFFFFFFFE
# BIFF records that place a cell (row and column are the first two u16 of the body);
# MULRK (0x00BD) places a run of them, its last column at the end.
_BIFF_CELLS = {0x0006, 0x0002, 0x0003, 0x0004, 0x0005, 0x0203, 0x0204, 0x0205, 0x0206, 0x027E,
               0x00FD, 0x00D6, 0x0406}
_BIFF_BOF = {0x0809, 0x0009, 0x0209, 0x0409}
_XLS_GRID = 65536 * 256  # rows × columns of a BIFF8 sheet
_DIFAT_END = 0xFFFFFFFA  # calamine follows the DIFAT chain to the first reserved id


def scan_xls(data: bytes) -> None:
    """Refuse an .xls whose sheets reach beyond the cell budget (BIFF rows and columns
    go to 65535, and calamine would allocate the whole block), whose shared-string
    count is impossible or whose DIMENSIONS record claims more than the .xls grid
    (calamine reserves room for both up front). An OLE file this cannot follow is left
    to calamine, except chains that loop or lead out of the file, which it would follow
    for ever, eating memory."""
    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        return
    stream = _ole_stream(data)
    if stream is None:
        return
    starts: set[int] = set()
    sheets = _scan_records(stream, 0, starts)
    # calamine reads each sheet from where its BOUNDSHEET says, which need not be
    # where the walk above found a record.
    for pos in sorted(sheets - starts):
        _scan_records(stream, pos, set())


def _scan_records(stream: bytes, pos: int, starts: set[int]) -> set[int]:
    """Check the BIFF records from pos (to the end, or from a sheet's start to its EOF
    record); note where each starts; return where the BOUNDSHEET records put sheets."""
    sheets, from_sheet = set(), pos > 0
    top = left = 1 << 17
    bottom = right = -1
    while pos + 4 <= len(stream):
        starts.add(pos)
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        pos += 4 + size
        if kind in _BIFF_BOF:
            top = left = 1 << 17
            bottom = right = -1
        elif kind == 0x000A and from_sheet:
            break
        elif kind == 0x0085 and len(body) >= 4:
            sheets.add(struct.unpack_from("<L", body)[0])
        elif kind == 0x00FC and len(body) >= 8 and struct.unpack_from("<i", body, 4)[0] > len(stream) // 3:
            raise damaged("共享字符串表声明的条数超过文件所能容纳的")
        elif kind == 0x0200 and len(body) in (10, 14):
            first, last, first_col, last_col = struct.unpack_from("<HHHH" if len(body) == 10 else "<LLHH", body)
            # calamine reserves (last - first) rows × columns of cells, the rows counted in
            # u32 that wraps round when first > last; no true sheet exceeds the grid.
            rows = (last - first) % (1 << 32) if last and last_col else 1
            if rows * max(last_col - first_col, 1) > _XLS_GRID:
                raise damaged("工作表声明的范围首尾颠倒或超出了.xls的行列上限")
        elif (kind in _BIFF_CELLS or kind == 0x00BD) and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind == 0x00BD and len(body) >= 6 else col
            top, bottom = min(top, row), max(bottom, row)
            left, right = min(left, col, last), max(right, col, last)
            if (bottom - top + 1) * (right - left + 1) > MAX_SHEET_CELLS:
                raise too_large(f"工作表范围达{bottom - top + 1}行×{right - left + 1}列，超过{MAX_SHEET_CELLS}个单元格的上限，"
                                "已拒绝读取；请删去远处多余的内容后重新报送")
    return sheets


def _ole_stream(data: bytes) -> bytes | None:
    """The Workbook (or BIFF5 Book) stream of an OLE compound file, found as calamine
    finds it."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not (7 <= shift <= 16 and 2 <= mini_shift < shift):
        return None
    sector = 1 << shift
    n_sectors = max(0, (len(data) - 1) // sector)  # calamine reads a last sector cut short too
    (_n_fat, first_dir, _tx, _cutoff, first_mini_fat, _n_mini_fat, first_difat, _n_difat) = struct.unpack_from(
        "<LLLLLLLL", data, 0x2C)

    def u32s(s: int) -> tuple[int, ...]:
        chunk = data[(s + 1) * sector:(s + 2) * sector]
        return struct.unpack(f"<{len(chunk) // 4}L", chunk[:len(chunk) // 4 * 4])

    def chain(start: int) -> list[int]:
        found, seen = [], set()
        while start < n_sectors:
            if start in seen:
                raise damaged("文件内部结构绕成了循环")
            seen.add(start)
            found.append(start)
            start = fat[start] if start < len(fat) else _END_OF_CHAIN
        return found

    def read(sectors: list[int]) -> bytes:
        return b"".join(data[(s + 1) * sector:(s + 2) * sector] for s in sectors)

    # calamine follows the DIFAT chain whatever count the header gives: each sector's
    # entries are added to the list and the last taken off as the next link, so a link
    # past the end of the file (nothing read) takes an earlier entry instead. A sector
    # read twice means it goes round for ever, the list growing.
    fat_sectors = list(struct.unpack_from("<109L", data, 0x4C))
    difat, seen = first_difat, set()
    while difat < _DIFAT_END and fat_sectors:
        entries = u32s(difat) if difat < n_sectors else ()
        if entries and difat in seen:
            raise damaged("文件内部结构绕成了循环")
        seen.add(difat)
        fat_sectors.extend(entries)
        difat = fat_sectors.pop()
    fat: list[int] = []
    for s in fat_sectors:  # every one calamine takes, not only as many as the header counts
        if s < n_sectors:
            fat.extend(u32s(s))
    directory = read(chain(first_dir))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    names = [entry[:64].decode("utf-16-le", "replace").split("\x00")[0].lower() for entry in entries]
    found = next((names.index(n) for n in ("workbook", "book") if n in names), None)
    if found is None:
        return None
    root_start, root_size = struct.unpack_from("<LL", entries[0], 0x74)
    start, size = struct.unpack_from("<LL", entries[found], 0x74)
    if size >= 4096:  # calamine's cut-off, whatever the header says
        return read(chain(start))[:size]
    mini_stream = read(chain(root_start))[:root_size]
    table = read(chain(first_mini_fat))
    mini_fat = struct.unpack_from(f"<{len(table) // 4}L", table)
    mini, found_parts, seen = 1 << mini_shift, [], set()
    while start < len(mini_fat) and start not in seen:
        seen.add(start)
        found_parts.append(mini_stream[start * mini:(start + 1) * mini])
        start = mini_fat[start]
    if start in seen:
        raise damaged("文件内部结构绕成了循环")
    return b"".join(found_parts)[:size]
