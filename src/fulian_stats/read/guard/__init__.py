"""The guard: what is checked of a file's bytes before a library parses them.

Two kinds of protection, each for what it does best. What only a pre-read can tell is
checked here, in one pass over the bytes: the file's size and kind, encryption, the
sizes and checksums a zip declares, how many shared strings a part claims, whether each
worksheet and the shared strings are well-formed XML, whether a worksheet's cells come
in the order of their addresses, how many values a worksheet writes (every one must come
back from calamine), and which formulas were saved without a value. calamine is then
given a copy of the workbook rebuilt from exactly the parts checked (guard/zipcopy.py),
so that what was checked is what is read.

What a library then does with the bytes is not predicted here: python-calamine builds
each sheet as one dense block of rows × columns, follows an .xls's sector chains and
copies a shared string into every cell that names it, and a hostile file can make any
of those exhaust memory or time. Each file is read in a worker process held to
Limits.memory_bytes and Limits.seconds_per_file (read/pool.py): such a file costs
itself, as a finding, and the run goes on.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from fulian_stats.read.limits import LIMITS, MB, Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")  # stream name in the OLE directory
_ATTRIBUTE_SPACES = str.maketrans("\t\n\r", "   ")
_RESAVE = "请在Excel或WPS中打开并另存后重新报送"


class GridError(Exception):
    """A file that cannot be turned into cells; carries a finding code and message (and
    the sheet and cell, where the damage is known to be)."""

    def __init__(self, code: str, message: str, row: int | None = None, sheet: str | None = None,
                 cell: str | None = None, values: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.row, self.sheet, self.cell, self.values = row, sheet, cell, values or {}


def too_large(message: str, **values) -> GridError:
    return GridError("FILE_TOO_LARGE", message, values=values)


def damaged(reason: str = "压缩数据不完整", **values) -> GridError:
    return GridError("FILE_UNREADABLE", f"不是有效的Excel文件或文件已损坏（{reason}）；{_RESAVE}", values=values)


def encrypted() -> GridError:
    return GridError("FILE_ENCRYPTED", "工作簿设置了打开密码，无法读取；请取消密码后重新报送")


@dataclass
class SheetFacts:
    """What a worksheet part's bytes tell before calamine reads it."""

    part: str
    size: int = 0  # bytes of XML
    values: int = 0  # cells writing a value calamine must give back (xml.values_written)
    formulas: list[str] = field(default_factory=list)  # cells (A1, or "") with a formula and no saved value
    errors: dict[str, str] = field(default_factory=dict)  # cell (A1) → the error it shows (#DIV/0!)
    hidden_rows: frozenset[int] = frozenset()  # 0-based, as the sheet's XML says
    hidden_columns: frozenset[int] = frozenset()


@dataclass
class Vetted:
    """A workbook that passed the guard: the bytes calamine is to read and what the
    guard learnt of each sheet."""

    workbook: bytes
    sheets: dict[str, SheetFacts] = field(default_factory=dict)  # sheet name → its part's facts
    unplaced_formulas: list[str] = field(default_factory=list)  # of parts no sheet name was found for
    largest_part: int = 0  # bytes of the largest part: no cell's text is longer
    empty_strings: bool = False  # some shared string is empty: a cell naming one is read as empty

    def facts(self, sheet: str) -> SheetFacts | None:
        """The facts of the part calamine read `sheet` from. The names were read by an
        XML parser, which turns a tab or line break in an attribute into a space, as
        XML says; calamine keeps them."""
        return self.sheets.get(sheet) or self.sheets.get(sheet.translate(_ATTRIBUTE_SPACES))


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_bytes(path: str | os.PathLike, limits: Limits = LIMITS) -> bytes:
    """The file's bytes, never more than limits.file_bytes. Opened without blocking, so
    that a named pipe called x.csv cannot hang the run, and read no further than the
    limit, even from a file that keeps growing."""
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GridError("FILE_UNREADABLE", "不是普通文件（可能是设备或管道），无法作为报表读取")
        # One read for the usual file: a regular file gives fewer bytes than asked only
        # at its end. All it asked for means it grew since fstat: read on to the limit.
        asked = min(info.st_size, limits.file_bytes) + 1
        data = os.read(fd, asked)
        if len(data) == asked:
            chunks, size = [data], len(data)
            while size <= limits.file_bytes and (chunk := os.read(fd, limits.file_bytes + 1 - size)):
                chunks.append(chunk)
                size += len(chunk)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    if not data:
        raise GridError("FILE_EMPTY", "文件是空的（0字节），请重新导出后报送")
    if len(data) > limits.file_bytes:
        raise too_large(f"文件超过{limits.file_bytes // MB}MB，远大于一份报表，已拒绝读取；请确认文件是否正确",
                        limit=limits.file_bytes)
    return data


def vet_workbook(data: bytes, limits: Limits = LIMITS) -> Vetted:
    """The guard's one entry point for a workbook's bytes: a Vetted to give calamine,
    or a GridError saying why the file is refused."""
    from fulian_stats.read.guard.zipcopy import copy_zip

    if data.startswith(OLE_MAGIC):
        # Excel and WPS save a workbook with an open password as an OLE compound file
        # holding an `EncryptionInfo` stream; an .xls is an OLE file without one, read
        # by calamine as it is (its records are its own affair: contained, not checked),
        # with the error cells and hidden rows calamine does not tell (guard/xls.py).
        if _ENCRYPTION_INFO in data:
            raise encrypted()
        from fulian_stats.read.guard.xls import xls_facts

        return Vetted(data, sheets=xls_facts(data), largest_part=len(data))
    vetted = copy_zip(data, limits)
    if vetted is None:
        raise damaged("既不是xlsx也不是xls格式")  # calamine reads nothing else
    return vetted
