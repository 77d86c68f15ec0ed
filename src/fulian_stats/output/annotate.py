"""Marked-up copies: each submission with findings comes back as a copy of the
township's own workbook, every cell a finding names filled (red for an error, yellow
for a warning, none for a note) with a comment giving the reason, and a first sheet
问题清单 listing every finding with a link to its cell; beside them 反馈单.xlsx
(feedback.py), what each org must fix or still send.

The inputs are never written: the copies go only into the folder given, which must not
be, hold or lie inside an input (files.refuse_folder). The original is opened through
the reader's guard (original.py), in the reading pool's workers (read/pool.py), so that
a file that makes a library fail costs its own copy, never the others. A file the
guard refused, or that cannot be opened, gets no copy: 反馈单 lists it with the reason.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from fulian_stats.findings import ERROR, INFO, SEVERITY_LABELS, WARNING, Finding, cell_index
from fulian_stats.output.files import NAME_BYTES, atomic_path, make_output_folder, refuse_folder, shortened
from fulian_stats.output.original import NoCopy, first_sheet_name, open_original

LIST_SHEET = "问题清单"
LIST_HEADER = ["级别", "工作表", "单元格", "指标", "说明"]
FILLS = {ERROR: "FFFFC7CE", WARNING: "FFFFEB9C"}  # Excel's light red and yellow highlight fills
RANK = {ERROR: 0, WARNING: 1, INFO: 2}
AUTHOR = "妇联统计校验"
# Files the reader's guard refused, or could not open: their findings say so, and they get no copy.
REFUSED_CODES = frozenset({"FILE_UNREADABLE", "FILE_EMPTY", "FILE_ENCRYPTED", "FILE_TOO_LARGE", "FILE_FORMAT_UNSUPPORTED",
                           "ENCODING"})
MAX_COMMENT_CHARS = 32_767 - 100  # Excel's limit for a comment's text
_ORDINAL = re.compile(r"[\s\d一二三四五六七八九十()（）、.．]*")


@dataclass
class Annotation:
    """What annotate wrote into `folder`: each file's copy, the files without one
    (and why), and 反馈单."""

    folder: Path
    copies: dict[str, Path] = field(default_factory=dict)  # file as the report names it → its copy
    refused: dict[str, str] = field(default_factory=dict)  # file → why it has no copy
    feedback: Path | None = None
    missing: int = 0  # orgs that have not reported
    removed: list[str] = field(default_factory=list)  # earlier copies of files that have no problem now

    def summary(self) -> str:
        text = f"已在 {self.folder} 中写入{len(self.copies)}份标注副本和{self.feedback.name if self.feedback else '反馈单'}"
        if self.refused:
            text += f"；{len(self.refused)}个文件未生成副本（原因见反馈单）"
        if self.missing:
            text += f"；{self.missing}个单位未报送，已列入反馈单"
        if self.removed:
            text += f"；删除了{len(self.removed)}份上次的标注副本（这些文件现在没有问题，如 {self.removed[0]}）"
        return text


def annotate_report(report, folder: Path) -> Annotation:
    """Write the copies and 反馈单 of a checked run into `folder` (made when missing, in
    a folder that exists)."""
    from fulian_stats.output.feedback import FEEDBACK_NAME, feedback_rows, refuse_replacing_feedback, write_feedback

    folder = Path(folder)
    refuse_folder(folder, report.inputs, report.paths)
    make_output_folder(folder)
    feedback = refuse_replacing_feedback(folder)
    done = Annotation(folder, feedback=feedback)
    labels = {ind.id: ind.label for ind in report.catalog} if report.catalog is not None else {}
    tasks, taken = [], {FEEDBACK_NAME}
    for file, findings in findings_by_file(report).items():
        refused = next((f.message for f in findings if f.code in REFUSED_CODES), None)
        target = folder / copy_name(file, taken)
        taken.add(target.name)
        if refused is None and target.exists() and first_sheet_name(target) != LIST_SHEET:
            refused = f"反馈文件夹中已有同名文件 {target.name}，不是标注副本，未覆盖"
        if refused is not None:
            done.refused[file] = refused
        else:
            tasks.append((file, findings, target, labels))
    for (file, _findings, target, _labels), reason in zip(tasks, _in_workers(tasks)):
        if reason is None:
            done.copies[file] = target
        else:
            done.refused[file] = reason
    # An earlier run's copy of a file that has no problem now would send a township to
    # fix what it has fixed: removed (only a copy of ours, of a file of this run).
    for file in (f for f in report.files if f not in done.copies and f not in done.refused):
        stale = folder / copy_name(file, taken)
        taken.add(stale.name)  # as the earlier run named them: a second 大宁镇.xlsx was 大宁镇（2）.xlsx
        if stale.is_file() and first_sheet_name(stale) == LIST_SHEET:
            stale.unlink()
            done.removed.append(stale.name)
    rows = feedback_rows(report, {f: p.name for f, p in done.copies.items()}, done.refused)
    done.missing = sum(1 for row in rows if row.missing)
    write_feedback(feedback, rows, report)
    return done


def findings_by_file(report) -> dict[str, list[Finding]]:
    """Each file read that has findings → its findings, in reading order."""
    files = set(report.files)
    found: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.file in files:
            found.setdefault(finding.file, []).append(finding)
    return {file: found[file] for file in report.files if file in found}


def copy_name(file: str, taken: set[str]) -> str:
    """The copy's file name: the original's, as .xlsx (a .csv or .xls is rebuilt as a
    workbook, and no copy holds macros); `（2）` added when two files would share one."""
    # Cut so that `（99）.xlsx` still fits in a file name (the original's may end in .xls).
    stem = shortened(os.path.splitext(os.path.basename(file))[0], NAME_BYTES - 24)
    name, n = f"{stem}.xlsx", 1
    while name in taken:
        n += 1
        name = f"{stem}（{n}）.xlsx"
    return name


# -- one file ------------------------------------------------------------------------------


def write_copy(file: str, findings: list[Finding], target: Path, labels: dict[str, str]) -> None:
    """The marked-up copy of `file` at `target` (NoCopy when it cannot be made)."""
    book = open_original(file, os.path.splitext(os.path.basename(file))[0])
    marks = [place(book, finding) for finding in findings]
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding, (title, coordinate) in zip(findings, marks):
        if title is not None:
            for cell in dict.fromkeys([coordinate, *(_anchor(book[title], c) for c in also_named(finding))]):
                by_cell[(title, cell)].append(finding)
    for (title, coordinate), found in by_cell.items():
        mark_cell(book[title][coordinate], found)
    problem_list(book, findings, marks, labels, os.path.basename(file))
    try:
        with atomic_path(target) as temp:
            book.save(temp)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:  # openpyxl on what it read oddly
        raise NoCopy(f"副本无法保存（{type(exc).__name__}: {str(exc)[:80]}）") from None


def place(book, finding: Finding) -> tuple[str | None, str]:
    """(sheet, cell) a finding is marked on: its cell; the row's name cell for a finding
    about a row; A1 for one about a sheet or the file; a merged range's first cell for
    a cell inside it. (None, "") in a workbook without a worksheet."""
    sheets = book.worksheets
    ws = next((s for s in sheets if finding.sheet is not None and s.title == finding.sheet), None)
    ws = ws or (sheets[0] if sheets else None)
    if ws is None:
        return None, ""
    if _is_cell(finding.cell):
        coordinate = finding.cell
    elif finding.row:
        coordinate = name_cell(ws, finding.row)
    else:
        coordinate = "A1"
    return ws.title, _anchor(ws, coordinate)


def also_named(finding: Finding) -> list[str]:
    """The other cells of its sheet a finding names (`E8、D19的公式…`: D19), from its
    values; not those of a finding about cells in two files (a duplicate submission)."""
    cells = finding.values.get("cells") if "files" not in finding.values else None
    return [c for c in cells if isinstance(c, str) and _is_cell(c)] if isinstance(cells, list) else []


def _is_cell(text: str | None) -> bool:
    """An A1 address inside Excel's sheet (XFD1048576 at most)."""
    found = cell_index(text) if text and text == text.upper() else None
    return found is not None and found[0] < 1_048_576 and found[1] < 16_384


def _anchor(ws, coordinate: str) -> str:
    """The cell itself, or the first cell of the merged range it lies in."""
    for merged in ws.merged_cells.ranges:
        if coordinate in merged:
            return merged.start_cell.coordinate
    return coordinate


def name_cell(ws, row: int) -> str:
    """The cell that names a row: its first text that is not only a number (序号 1, 一、),
    else its first cell with anything in it, else A."""
    first = None
    for cell in next(ws.iter_rows(min_row=row, max_row=row), ()):
        if cell.value is None or not hasattr(cell, "column_letter"):
            continue
        if isinstance(cell.value, str) and not _ORDINAL.fullmatch(cell.value):
            return cell.coordinate
        first = first or cell.coordinate
    return first or f"A{row}"


def comment_text(findings: list[Finding]) -> str:
    """`错误：…` for one finding; numbered lines for several."""
    lines = [f"{SEVERITY_LABELS.get(f.severity, f.severity)}：{f.message}" for f in findings]
    text = lines[0] if len(lines) == 1 else "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))
    return text[:MAX_COMMENT_CHARS]


def mark_cell(cell, findings: list[Finding]) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    worst = min((f.severity for f in findings), key=lambda s: RANK.get(s, 3))
    if worst in FILLS:
        cell.fill = PatternFill("solid", fgColor=FILLS[worst])
    text = comment_text(findings)
    if cell.comment is not None:
        text = f"{cell.comment.text}\n{text}"[:MAX_COMMENT_CHARS]
    lines = sum(1 + len(line) // 22 for line in text.splitlines())
    cell.comment = Comment(text, AUTHOR, height=min(600, 24 + 18 * lines), width=320)


def problem_list(book, findings: list[Finding], marks: list[tuple], labels: dict[str, str], name: str) -> None:
    """The first sheet: every finding (errors first), its sheet, cell, indicator and
    reason, the cell a link to where it is marked."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    from fulian_stats.forms.style import BOLD, BORDER, CENTER, HEADER_FILL, WRAP, put, title_row
    from fulian_stats.output.printing import PageSetup, row_height

    order = {ws.title: i for i, ws in enumerate(book.worksheets)}
    rows = sorted(zip(findings, marks), key=lambda fm: (RANK.get(fm[0].severity, 3), order.get(fm[1][0], -1),
                                                       fm[0].row or 0, cell_column(fm[0].cell)))
    ws = book.create_sheet(LIST_SHEET, 0)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in RANK}
    title_row(ws, 1, f"问题清单：{name}（{counts[ERROR]}个错误，{counts[WARNING]}个警告，{counts[INFO]}条提示）",
              len(LIST_HEADER))
    for col, header in enumerate(LIST_HEADER, start=1):
        put(ws, 2, col, header, {"font": BOLD, "fill": HEADER_FILL, "border": BORDER, "alignment": CENTER})
    link = Font(color="0563C1", underline="single")
    for r, (finding, (title, coordinate)) in enumerate(rows, start=3):
        where = finding.cell or (f"第{finding.row}行" if finding.row else "")
        values = [SEVERITY_LABELS.get(finding.severity, finding.severity), finding.sheet or title or "", where,
                  labels.get(finding.indicator, finding.indicator or ""), finding.message]
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value, {"border": BORDER, "alignment": WRAP if col == 5 else CENTER})
        ws.row_dimensions[r].height = row_height((finding.message, 80), (values[3], 22))
        if finding.severity in FILLS:
            ws.cell(r, 1).fill = PatternFill("solid", fgColor=FILLS[finding.severity])
        if title is not None:
            at = ws.cell(r, 3)
            if not where:
                at.value = "查看"
            at.hyperlink = Hyperlink(ref=at.coordinate, location=f"'{title.replace(chr(39), chr(39) * 2)}'!{coordinate}",
                                     tooltip=f"转到 {title} {coordinate}")
            at.font = link
    for letter, width in zip("ABCDE", (7, 14, 10, 22, 80)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:E{max(3, len(rows) + 2)}"
    PageSetup(True, (1, 1)).to_openpyxl(ws)
    book.active = 0
    for other in book.worksheets[1:]:
        other.sheet_view.tabSelected = False


def cell_column(cell: str | None) -> int:
    """The 1-based column of an A1 address, 0 for none: a sort key."""
    found = cell_index(cell)
    return found[1] + 1 if found else 0


# -- in worker processes ------------------------------------------------------------------

_CRASHED = "生成副本时程序异常退出（文件可能已损坏或被恶意构造），未生成副本"


def _copy_one(task: tuple) -> str | None:
    """None when the copy was written, else why not."""
    try:
        write_copy(*task)
    except NoCopy as exc:
        return str(exc)
    except MemoryError:
        return "文件过大，无法生成副本"
    return None


def _in_workers(tasks: list[tuple]) -> list[str | None]:
    """_copy_one of each task, in order, in the reading pool's workers, held to the
    reader's bounds: a file that makes a library abort, or exhaust memory or time,
    costs its own copy and the others go on."""
    from contextlib import closing

    from fulian_stats.read.limits import LIMITS
    from fulian_stats.read.pool import map_files

    failed = {"memory": "生成副本所需的内存超过上限，未生成副本", "timeout": "生成副本超时，未生成副本"}
    copies = map_files(_copy_one, tasks, jobs=os.cpu_count() or 1, limits=LIMITS.with_environment(),
                       failed=lambda _task, reason, _detail: failed.get(reason, _CRASHED))
    with closing(copies):
        return list(copies)
