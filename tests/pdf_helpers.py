"""Workbooks printed by LibreOffice: `soffice --headless --convert-to pdf`, the way a
county office's printer would lay them out. Tests that use them are skipped where
LibreOffice is not installed; the PDF is read with poppler's pdftotext where it is
there, else only its pages are counted (no Python library needed either way).

- `to_pdf(workbook, profile)`: the PDF beside the workbook (`profile`: a LibreOffice
  user folder of the test session's own, so that a LibreOffice the user has open
  neither blocks nor is changed).
- `page_count(pdf)`: its pages.
- `sheet_pages(pdf, names)`: how many pages each sheet took (by the sheet's name that
  the page header carries), or None without pdftotext.
- `overlapping_lines(pdf)`: text lines printed over each other (text too tall for its
  row runs into the next), or None without pdftotext.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def to_pdf(workbook: Path, profile: Path) -> Path:
    folder = workbook.parent / "pdf"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
                   check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": str(profile)})
    return folder / f"{workbook.stem}.pdf"


def page_count(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def _pdftotext(*args: str) -> str:
    return subprocess.run([PDFTOTEXT, *args], check=True, capture_output=True, timeout=300).stdout.decode()


def sheet_pages(pdf: Path, names: list[str]) -> dict[str, int] | None:
    if PDFTOTEXT is None:
        return None
    counts: dict[str, int] = {}
    for page in _pdftotext("-layout", str(pdf), "-").split("\f"):
        header = next((line for line in page.splitlines() if line.strip()), "")
        name = next((n for n in names if re.search(rf"(^|\s){re.escape(n)}(\s|$)", header)), None)
        if name is not None or page.strip():
            counts[name] = counts.get(name, 0) + 1
    return counts


def overlapping_lines(pdf: Path) -> list[tuple[int, str, str]] | None:
    """(page, line, line) for each two lines of text whose boxes overlap by more than a
    point each way."""
    if PDFTOTEXT is None:
        return None
    xhtml = _pdftotext("-bbox-layout", str(pdf), "-")
    found = []
    for number, page in enumerate(re.split(r"<page\b", xhtml)[1:], start=1):
        lines = []
        for box, body in re.findall(r'<line ([^>]*)>(.*?)</line>', page, re.S):
            x0, y0, x1, y1 = (float(re.search(rf'{k}="([-\d.]+)"', box).group(1)) for k in ("xMin", "yMin", "xMax", "yMax"))
            lines.append((x0, y0, x1, y1, "".join(re.findall(r">([^<]*)</word>", body))))
        for i, a in enumerate(lines):
            for b in lines[i + 1:]:
                if min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1:
                    found.append((number, a[4], b[4]))
    return found
