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


def scan_xls(data: bytes) -> None:
    """Refuse an .xls whose sheets reach beyond the cell budget (BIFF rows and columns
    go to 65535, and calamine would allocate the whole block) or whose shared-string
    count is impossible (calamine reserves room for it up front). An OLE file this
    cannot follow is left to calamine, except chains that loop, which it would follow
    for ever."""
    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        return
    stream = _ole_stream(data)
    if stream is None:
        return
    top = left = 1 << 17
    bottom = right = -1
    pos = 0
    while pos + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + size]
        pos += 4 + size
        if kind in _BIFF_BOF:
            top = left = 1 << 17
            bottom = right = -1
        elif kind == 0x00FC and len(body) >= 8 and struct.unpack_from("<i", body, 4)[0] > len(stream) // 3:
            raise damaged("共享字符串表声明的条数超过文件所能容纳的")
        elif (kind in _BIFF_CELLS or kind == 0x00BD) and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind == 0x00BD and len(body) >= 6 else col
            top, bottom = min(top, row), max(bottom, row)
            left, right = min(left, col, last), max(right, col, last)
            if (bottom - top + 1) * (right - left + 1) > MAX_SHEET_CELLS:
                raise too_large(f"工作表范围达{bottom - top + 1}行×{right - left + 1}列，超过{MAX_SHEET_CELLS}个单元格的上限，"
                                "已拒绝读取；请删去远处多余的内容后重新报送")


def _ole_stream(data: bytes) -> bytes | None:
    """The Workbook (or BIFF5 Book) stream of an OLE compound file."""
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not (7 <= shift <= 16 and 2 <= mini_shift < shift):
        return None
    sector = 1 << shift
    n_sectors = max(0, len(data) // sector - 1)
    (n_fat, first_dir, _tx, cutoff, first_mini_fat, _n_mini_fat, first_difat, n_difat) = struct.unpack_from(
        "<LLLLLLLL", data, 0x2C)

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

    fat_sectors = [s for s in struct.unpack_from("<109L", data, 0x4C) if s < n_sectors]
    fat: list[int] = []
    difat, seen = first_difat, set()
    while difat < n_sectors and len(seen) <= n_difat:
        if difat in seen:
            raise damaged("文件内部结构绕成了循环")
        seen.add(difat)
        entries = struct.unpack_from(f"<{sector // 4}L", data, (difat + 1) * sector)
        fat_sectors.extend(s for s in entries[:-1] if s < n_sectors)
        difat = entries[-1]
    for s in fat_sectors[:max(n_fat, 0)]:
        fat.extend(struct.unpack_from(f"<{sector // 4}L", data, (s + 1) * sector))
    directory = read(chain(first_dir))
    entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    root_start, root_size = struct.unpack_from("<LL", entries[0], 0x74)
    for entry in entries:
        name_len = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
        name = entry[:name_len].decode("utf-16-le", "replace").rstrip("\x00").lower()
        if entry[0x42] != 2 or name not in ("workbook", "book"):
            continue
        start, size = struct.unpack_from("<LL", entry, 0x74)
        if size >= cutoff:
            return read(chain(start))[:size]
        mini_stream = read(chain(root_start))[:root_size]
        table = read(chain(first_mini_fat))
        mini_fat = struct.unpack_from(f"<{len(table) // 4}L", table)
        mini, found, seen = 1 << mini_shift, [], set()
        while start < len(mini_fat) and start not in seen:
            seen.add(start)
            found.append(mini_stream[start * mini:(start + 1) * mini])
            start = mini_fat[start]
        if start in seen:
            raise damaged("文件内部结构绕成了循环")
        return b"".join(found)[:size]
    return None
