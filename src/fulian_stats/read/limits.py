"""Every bound reading one file is held to, in one place.

Some are checked before a library sees the bytes (what only a pre-read can tell: the
sizes a zip declares, how many parts and shared strings it claims); the rest are
containment: each file is read in a worker process that may grow by `memory_bytes`
and spend `seconds_per_file`, watched by the parent, so that whatever a damaged or
hostile file makes a library do costs that file, never the run.

An administrator (or a test) may change the two containment bounds through the
environment: FULIAN_MEMORY_MB and FULIAN_SECONDS_PER_FILE.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

MB = 1 << 20


@dataclass(frozen=True)
class Limits:
    # A month's form is about 10 KB and a county's yearly summary under 5 MB.
    file_bytes: int = 64 * MB
    # Zip bombs, from the sizes the zip declares (and checked again while inflating).
    unzipped_bytes: int = 256 * MB
    ratio: int = 200  # real workbooks compress 5-20 times…
    ratio_from_bytes: int = 10 * MB  # …which only parts above this are held to
    members: int = 65_535  # parts of a zip; a workbook has a dozen or so
    # Text the shared strings may expand to, each cell naming one getting its own copy.
    string_bytes: int = 1024 * MB
    # Excel's own limit for one cell; anything longer was not typed in a spreadsheet.
    cell_chars: int = 32_767
    # Cells of a sheet's block of rows × columns (calamine and to_python() cost about
    # 40 bytes each), of all a workbook's sheets together, and of a CSV file.
    sheet_cells: int = 2_000_000
    workbook_cells: int = 4_000_000
    text_cells: int = 2_000_000
    # Containment of the worker reading a file.
    memory_bytes: int = 2048 * MB  # address space a worker may add to what it started with
    seconds_per_file: float = 120.0

    def with_environment(self) -> Limits:
        """These bounds, with the containment bounds an administrator set."""
        memory = os.environ.get("FULIAN_MEMORY_MB")
        seconds = os.environ.get("FULIAN_SECONDS_PER_FILE")
        return replace(self, memory_bytes=int(memory) * MB if memory and memory.isdigit() else self.memory_bytes,
                       seconds_per_file=float(seconds) if seconds and _is_number(seconds) else self.seconds_per_file)


def _is_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False


LIMITS = Limits()
