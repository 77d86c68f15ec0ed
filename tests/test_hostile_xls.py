"""An .xls that makes calamine abort or loop costs that file, one finding, in bounded time.

calamine reserves memory from the sizes an .xls claims and follows its sector chains
wherever they lead; a failed allocation aborts the whole process (no exception to
catch), and a chain that loops or leads out of the file grows without end. None of it
is predicted: each file is read in a worker held to an address space and a time
(read/pool.py). Each file here is built from an xlwt workbook with a few bytes
changed, the way a fuzz campaign found them; well-formed files and odd-but-harmless
ones must still read.
"""

from __future__ import annotations

import io
import struct
import time
from pathlib import Path

import pytest

from check_helpers import CATALOG
from fulian_stats.read import ReadContext, read_paths
from fulian_stats.read.limits import LIMITS, Limits

xlwt = pytest.importorskip("xlwt")

SECTOR = 512
FREE, END = 0xFFFFFFFF, 0xFFFFFFFE
CONTAINED = Limits(memory_bytes=512 << 20, seconds_per_file=5)


def book() -> bytes:
    """An xlwt workbook: header, one FAT sector, the Workbook stream, the directory last."""
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("月报")
    sheet.write(0, 0, "指标名称")
    sheet.write(3, 3, 7.0)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_dimensions(first: int, last: int, first_col: int, last_col: int) -> bytes:
    """The sheet's DIMENSIONS record (BIFF8: u32 first row, u32 last row + 1, u16 first
    column, u16 last column + 1) set as given."""
    data = bytearray(book())
    at = data.find(struct.pack("<HHLLHH", 0x0200, 14, 0, 4, 0, 4))
    assert at > 0
    struct.pack_into("<LLHH", data, at + 4, first, last, first_col, last_col)
    return bytes(data)


def read_xls(tmp_path: Path, data: bytes, limits: Limits = LIMITS):
    path = tmp_path / "大宁镇_2016-03.xls"
    path.write_bytes(data)
    return read_paths([path], ReadContext(CATALOG, limits=limits)).files[0]


def contained(tmp_path: Path, data: bytes) -> list[tuple[str, str]]:
    """(code, reason) of the findings of `data` read as an .xls under CONTAINED, in
    bounded time."""
    started = time.monotonic()
    findings = read_xls(tmp_path, data, CONTAINED).findings
    assert time.monotonic() - started < 10
    return [(f.code, f.values.get("reason")) for f in findings]


def read_whole(tmp_path: Path, data: bytes) -> None:
    """The file reads as a workbook (xlwt's is no form: LAYOUT_UNKNOWN, and nothing else)."""
    assert [f.code for f in read_xls(tmp_path, data).findings] == ["LAYOUT_UNKNOWN"]


def test_an_xlwt_workbook_passes(tmp_path):
    read_whole(tmp_path, book())


# -- DIMENSIONS ---------------------------------------------------------------------------

@pytest.mark.parametrize("dims", [
    (0x400000, 3, 0, 4),  # first row after the last: calamine's u32 row count wraps round
    (4, 3, 0, 4),  # by one row is enough
    (0, 0xFFFFFFFF, 0, 0xFFFF),  # the whole u32 × u16 space
    (0, 1048576, 0, 256),  # an .xlsx sheet's rows, more than .xls has
], ids=["first-after-last", "first-after-last-by-one", "huge", "xlsx-rows"])
def test_a_dimensions_record_beyond_the_xls_grid_costs_its_file(dims, tmp_path):
    """calamine reserves cells from DIMENSIONS alone and aborts: `memory allocation of
    ... bytes failed` for a sheet whose cells fit in D4 (fuzz campaign, 10 of 12 aborts)."""
    assert contained(tmp_path, with_dimensions(*dims)) == [("FILE_TOO_LARGE", "memory")]


@pytest.mark.parametrize("dims", [
    (0, 65536, 0, 256),  # the whole .xls grid, as a sheet formatted to the last cell says
    (4, 4, 0, 4), (1, 0, 0, 4),  # empty ranges
    (0, 4, 5, 4),  # columns the wrong way round: calamine does not reserve from them
], ids=["whole-grid", "empty", "last-zero", "columns-reversed"])
def test_a_dimensions_record_calamine_copes_with_passes(dims, tmp_path):
    read_whole(tmp_path, with_dimensions(*dims))


def test_a_biff5_dimensions_record_costs_its_file_too(tmp_path):
    """BIFF5/7 DIMENSIONS has u16 rows; a first row after the last wraps the same way."""
    data = bytearray(book())
    at = data.find(struct.pack("<HHLLHH", 0x0200, 14, 0, 4, 0, 4))
    # the same 18 bytes as a 10-byte record followed by an empty record of kind 0
    data[at:at + 18] = struct.pack("<HHHHHHH", 0x0200, 10, 9, 3, 0, 4, 0) + struct.pack("<HH", 0, 0)
    assert contained(tmp_path, bytes(data)) == [("FILE_TOO_LARGE", "memory")]


def test_a_dimensions_record_where_a_boundsheet_points_costs_its_file(tmp_path):
    """calamine reads a sheet from the offset its BOUNDSHEET gives, so a sheet hidden in
    the body of another record (WRITEACCESS here), never seen walking the stream record
    by record, aborted it all the same."""
    data = bytearray(book())
    workbook = 512  # xlwt writes the Workbook stream first, in sectors one after another
    boundsheet = data.find(struct.pack("<HH", 0x0085, 12))
    sheet = workbook + struct.unpack_from("<L", data, boundsheet + 4)[0]
    writeaccess = data.find(struct.pack("<HH", 0x005C, 112))
    hidden = data[sheet:sheet + 20] + struct.pack("<HHLLHH", 0x0200, 14, 4, 3, 0, 4) + struct.pack("<HH", 0x000A, 0)
    data[writeaccess + 4:writeaccess + 4 + len(hidden)] = hidden
    struct.pack_into("<L", data, boundsheet + 4, writeaccess + 4 - workbook)
    assert contained(tmp_path, bytes(data)) == [("FILE_TOO_LARGE", "memory")]


# -- the compound file's chains -----------------------------------------------------------

def with_difat_sector(next_link: int, count: int) -> bytes:
    """The book with a DIFAT sector appended (no FAT sectors in it) linking to next_link;
    count is the number of DIFAT sectors the header gives, which calamine ignores."""
    data = book()
    appended = (len(data) - SECTOR) // SECTOR
    data = bytearray(data + struct.pack("<128L", *[FREE] * 127, appended if next_link < 0 else next_link))
    struct.pack_into("<LL", data, 0x44, appended, count)
    return bytes(data)


@pytest.mark.parametrize("count", [0, 1])
def test_a_difat_sector_linking_to_itself_costs_its_file_whatever_the_count(count, tmp_path):
    """calamine follows the DIFAT chain to its end, whatever the header's count (0
    here), and goes round for ever, growing (fuzz campaign)."""
    assert contained(tmp_path, with_difat_sector(-1, count)) == [("FILE_TOO_LARGE", "memory")]


def test_a_difat_chain_running_past_the_end_of_the_file_costs_its_file(tmp_path):
    """A DIFAT sector linking past the end: calamine reads nothing there and takes the
    last entry it has as the next link instead, here sector 0 again, for ever (24 GB
    before it was killed)."""
    header = bytearray(SECTOR)
    header[:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<9L", header, 0x28, 0, 1, END, 0, 4096, END, 0, 0, 1)  # DIFAT at 0, 1 sector
    struct.pack_into("<109L", header, 0x4C, *[0] * 109)
    data = bytes(header) + struct.pack("<128L", *[0] * 127, 1)  # sector 1 is past the end
    assert contained(tmp_path, data) == [("FILE_TOO_LARGE", "memory")]


def test_a_difat_link_past_the_end_calamine_copes_with_is_read_or_refused_at_once(tmp_path):
    """Past the end calamine takes the last entry it has, FREESECT here, and stops."""
    assert contained(tmp_path, with_difat_sector(10_000, 1)) == [("FILE_UNREADABLE", None)]
    read_whole(tmp_path, with_difat_sector(END, 1))


def directory_looping(cut: int) -> bytes:
    """The book with the directory's FAT entry pointing at itself, cut bytes short."""
    data = bytearray(book())
    fat, directory = struct.unpack_from("<L", data, 0x4C)[0], struct.unpack_from("<L", data, 0x30)[0]
    struct.pack_into("<L", data, (fat + 1) * SECTOR + 4 * directory, directory)
    return bytes(data[:len(data) - cut])


@pytest.mark.parametrize("cut", [0, 100], ids=["whole", "last-sector-cut-short"])
def test_a_directory_chain_that_loops_costs_its_file_even_in_a_last_sector_cut_short(cut, tmp_path):
    """The directory sat in the file's last sector, cut short; calamine reads it and
    goes round the loop for ever (fuzz campaign: a truncated file whose FAT was a sector
    of zeros)."""
    assert contained(tmp_path, directory_looping(cut)) == [("FILE_TOO_LARGE", "memory")]


def test_a_file_cut_short_in_its_unused_directory_entries_is_refused_at_once(tmp_path):
    assert contained(tmp_path, book()[:-100]) == [("FILE_UNREADABLE", None)]
