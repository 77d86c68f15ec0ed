"""Make docs/annotate.png (a marked-up copy as `check --annotate` writes it) and
docs/annotate-list.png (its first sheet, 问题清单), printed by LibreOffice headless
(soffice) and rasterised by pdftoppm (poppler-utils).

大宁镇's March form from sample_data/ gets three problems (a word in a number cell, a
negative count, an estimate), is checked and annotated into a scratch folder, and the
copy's 月报 sheet is printed. Only for the picture, the printed copy shows its
comments beside their cells (in Excel and WPS a comment shows when the pointer is on
its cell) and its first rows fit one page; the copy `check --annotate` writes is not
changed by this script.

    python scripts/make_annotate_png.py
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl

from fulian_stats import api

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "2017" / "03" / "大宁镇_2017-03.xlsx"
OUT, LIST_OUT = REPO / "docs" / "annotate.png", REPO / "docs" / "annotate-list.png"
CROP, LIST_CROP = (60, 95, 1075, 355), (40, 72, 1125, 120)  # x, y, width, height in pixels at 110 dpi


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="fulian-png-") as scratch:
        root = Path(scratch)
        (root / "报表").mkdir()
        form = shutil.copy(SAMPLE, root / "报表" / SAMPLE.name)
        book = openpyxl.load_workbook(form)
        sheet = book["月报"]
        sheet["D7"], sheet["D13"], sheet["D14"] = "三", "约200", -5
        book.save(form)
        done = api.annotate(api.check([str(root / "报表")]), root / "反馈")
        copy = done.copies[str(root / "报表" / SAMPLE.name)]
        shown = root / "shown.xlsx"
        book = openpyxl.load_workbook(copy)
        sheet = book["月报"]
        book.move_sheet("月报", -1)  # printed first; 问题清单 second
        book.active = 0
        sheet.print_area = "A1:H18"
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = sheet.page_setup.fitToHeight = 1
        for letter in "FGH":
            sheet.column_dimensions[letter].width = 16
        book.save(shown)
        _show_comments(shown)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", scratch, str(shown)],
                       check=True, capture_output=True, timeout=180)
        for page, out, (x, y, w, h) in ((1, OUT, CROP), (2, LIST_OUT, LIST_CROP)):
            subprocess.run(["pdftoppm", "-png", "-r", "110", "-f", str(page), "-l", str(page), "-singlefile",
                            "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h),
                            str(root / "shown.pdf"), str(root / "page")], check=True, timeout=60)
            shutil.copy(root / "page.png", out)
            print(f"wrote {out.relative_to(REPO)}")


_NOTE = re.compile(rb'<(\w+):ClientData([^>]*)ObjectType="Note">(.*?)<\1:Row>(\d+)</\1:Row>', re.S)


def _show_comments(path: Path) -> None:
    """The comments' shapes made visible (openpyxl writes them hidden), each in columns
    F-H from its cell's row down, below the one before."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    below = [0]

    def anchored(match: re.Match) -> bytes:
        x, row = match.group(1), int(match.group(4))
        top = max(row - 1, below[0])
        below[0] = top + 4
        return (b'<%s:ClientData%sObjectType="Note"><%s:Visible/><%s:Anchor>5, 10, %d, 2, 8, 0, %d, 0</%s:Anchor>%s'
                b"<%s:Row>%d</%s:Row>" % (x, match.group(2), x, x, top, top + 3, x, match.group(3), x, row, x))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            if name.endswith(".vml"):
                data = _NOTE.sub(anchored, data.replace(b"visibility:hidden", b"visibility:visible"))
            new.writestr(name, data)
    path.write_bytes(out.getvalue())


if __name__ == "__main__":
    main()
