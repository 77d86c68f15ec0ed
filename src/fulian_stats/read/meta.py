"""Which org and period a sheet reports: from its contents, else the file name, else
`--period`. A disagreement between contents and file name is a finding, not a guess."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from fulian_stats.findings import ERROR, WARNING
from fulian_stats.normalize import normalize_text
from fulian_stats.orgs import OrgRegistry, clean_org_name, core_name
from fulian_stats.periods import MONTH_NUMERAL, Period, find_period, month_number, period_of_cell
from fulian_stats.read.header import PERSON_WORDS

ORG_LABELS = ("填报单位名称", "填报单位", "单位名称", "报送单位", "单位")
PERIOD_LABELS = ("报告期", "填报月份", "统计月份", "报告月份", "统计期间", "统计期", "所属期", "统计时间", "月份")
# When the form was filled in, never the period it reports.
FILING_LABELS = ("填报日期", "报送日期", "填表日期", "制表日期", "上报日期", "填报时间", "报送时间", "填表时间", "制表时间",
                 "上报时间", "日期")
# A label may carry a note in brackets: `填报单位（盖章）：`, `单位（公章）`.
# Who filled it in (PERSON_WORDS) is a label too: it ends the value before it (`填报单位：大宁镇 填报人：李红梅`).
_LABEL = re.compile("(" + "|".join(sorted(ORG_LABELS + PERIOD_LABELS + FILING_LABELS + PERSON_WORDS, key=len, reverse=True))
                    + r")(?:\([^()]{0,8}\))?:?")  # the longest first: 单位负责人 is no 单位
# A period written after the org in its cell, without a label (`填报单位：大宁镇妇联 2017年3月`).
_PERIOD_AFTER_ORG = re.compile(r"[(\[【]?(?:19|20)\d\d(?:年|[-./]\d).*$")
# Words in file names that are not part of an org's name.
_FILE_NOISE = re.compile(r"(?:各乡镇|各镇|各乡|各街道|各单位|全县|全区|全市|工作统计|统计月报|月报表|月报|报表|统计表|统计|汇总表|汇总|数据|工作|妇联|表)")
_FILE_SPLIT = re.compile(r"[_\-\s.()\[\]]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A period's spelling in a file name, whichever it is (`2016年3月`, `2016-03`, `2016Q1`).
_PERIOD_SPELLING = re.compile(r"(?:19|20|21)\d\d(?:年度|年)?(?:第?[一二三四1-4]季度|[上下]半年|\d{1,2}(?:-\d{1,2})?月?份?|Q\d|H\d)?")
_PLACE = re.compile(r"(?:镇|乡|街道|办事处|社区|村|县|区|市|旗|盟|州)$")
# Words for a kind of place, no place's name: a sheet 乡镇汇总 or 全镇 is no org called 乡镇.
_KINDS_OF_PLACE = re.compile(r"^(?:[全各本]?(?:乡镇|镇街|镇村|乡村|城镇|农村|街道|社区|镇|乡|村|县|区|市))$")
# A month without its year (`3月石门镇`, a sheet named for its month and township).
_MONTH_SPELLING = re.compile(r"(?<!\d)(?:[01]?\d|十[一二]|[一二三四五六七八九十])月份?")


@dataclass
class Found:
    """A value and the cell (A1) it was read from; cell is None for the file name."""

    text: str
    cell: str | None


def labelled_values(text: str) -> tuple[tuple[str, str], ...]:
    """`填报单位：大宁镇妇联  报告期：2016年3月` → ((填报单位, 大宁镇妇联), (报告期, 2016年3月))."""
    # Every month's form repeats the same lines: remember the short ones.
    return _labelled_values(text) if len(text) <= 200 else _labelled_values.__wrapped__(text)


@lru_cache(maxsize=16384)
def _labelled_values(text: str) -> tuple[tuple[str, str], ...]:
    norm = normalize_text(text)
    # A label inside running text (`计量单位`, `各单位`) is not one: it must open the
    # cell or be followed by a colon.
    matches = [m for m in _LABEL.finditer(norm) if m.start() == 0 or m.group(0).endswith(":")]
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(norm)
        pairs.append((match.group(1), norm[match.end():end]))
    return tuple(pairs)


def scan_meta(rows: list[list], before: int, cell_name, units: frozenset[str]
              ) -> tuple[Found | None, Found | None, list[Found]]:
    """Org and period written in the rows above the header, and the other texts there
    (titles) for a fallback search. `cell_name(r, c)` gives a cell's A1 address;
    `单位：万元` names a unit, not an org; a filing date (`填报日期：…`) is neither a
    title nor a period, nor is the cell that holds a label's value."""
    org = period = None
    texts: list[Found] = []
    taken: set[tuple[int, int]] = set()  # cells that hold a label's value
    for r in range(min(before, len(rows))):
        row = rows[r]
        for c, value in enumerate(row):
            if not isinstance(value, str) or not value.strip() or (r, c) in taken:
                continue
            pairs = labelled_values(value)
            if not pairs:
                texts.append(Found(value, cell_name(r, c)))
                continue
            for label, rest in pairs:
                if not rest:  # the value is in the next filled cell to the right
                    at = next((i for i in range(c + 1, len(row)) if row[i] not in ("", None)), None)
                    rest_value = row[at] if at is not None else None
                    if isinstance(rest_value, str) and labelled_values(rest_value):
                        rest_value = None  # the next label: this one was left blank
                    elif at is not None:
                        taken.add((r, at))
                else:
                    rest_value = rest
                if rest_value is None:
                    continue
                if label in ORG_LABELS and isinstance(rest_value, str):
                    rest_value = _STAMP.sub("", rest_value).strip()  # （盖章）: where the seal goes, no name
                    if (tail := _PERIOD_AFTER_ORG.search(rest_value)) and tail.start() > 0:
                        texts.append(Found(tail.group(0), cell_name(r, c)))  # the period, as a title gives one
                        rest_value = rest_value[:tail.start()].strip()
                if (label in ORG_LABELS and org is None and isinstance(rest_value, str) and rest_value
                        and normalize_text(rest_value) not in units):
                    org = Found(rest_value, cell_name(r, c))
                elif label in PERIOD_LABELS and period is None:
                    found = period_of_cell(rest_value)
                    if found is not None:
                        period = Found(found.code, cell_name(r, c))
                    elif isinstance(rest_value, str) and month_alone(rest_value) is not None:
                        period = Found(rest_value, cell_name(r, c))  # a month whose year is elsewhere
    return org, period, texts


def period_from_texts(texts: list[Found]) -> Found | None:
    """The first period written in a title: its code and cell."""
    for text in texts:
        found = find_period(text.text)
        if found is not None:
            return Found(found.code, text.cell)
    return None


def org_from_texts(texts: list[Found], registry: OrgRegistry) -> Found | None:
    """The first township of the registry (an org with none under it) named in a title:
    its name and cell. A title names the county that issued the form as often as the
    township filling it in."""
    for text in texts:
        found = registry.find_in(text.text, leaves_only=True)
        if found is not None:
            return Found(found, text.cell)
    return None


def org_from_file_name(stem: str, registry: OrgRegistry | None) -> str | None:
    if registry is not None:
        return registry.find_in(stem)
    text = normalize_text(stem)
    period = find_period(text)
    if period is not None:
        text = _PERIOD_SPELLING.sub(" ", text)
    for token in _FILE_SPLIT.split(_FILE_NOISE.sub(" ", _MONTH_SPELLING.sub(" ", text))):
        name = clean_org_name(token)
        # Only a place name counts: `新建 Microsoft Excel 工作表.xlsx` names no org, nor `县` alone.
        if _CJK.search(name) and _PLACE.search(name) and len(name) > 1 and not _KINDS_OF_PLACE.match(name):
            return name
    return None


def same_org(a: str, b: str, registry: OrgRegistry | None) -> bool:
    if registry is not None:
        return (registry.canonical(a) or a) == (registry.canonical(b) or b)
    return core_name(a) == core_name(b)


# -- the period ------------------------------------------------------------------------

# Where a sheet's period may be written, most telling first.
LABEL, SHEET, TITLE, HEADER, FILE, OPTION = "label", "sheet", "title", "header", "file", "option"
ORIGIN_TEXT = {LABEL: "表内报告期", SHEET: "工作表名", TITLE: "标题", HEADER: "表头", FILE: "文件名中", OPTION: "--period"}
_STAMP = re.compile(r"[（(]?\s*(?:加?盖[公印]?章|公章|签章|印章|签字)\s*[)）]?")
_MONTH_ALONE = re.compile(rf"^({MONTH_NUMERAL})月份?$")


def month_alone(text: str) -> int | None:
    """`3月`, `03月份`, `三月份`: a month written without its year."""
    match = _MONTH_ALONE.match(normalize_text(text).strip())
    return month_number(match.group(1)) if match else None
_SHEET_YEAR_MONTH = re.compile(r"^((?:19|20)\d\d)[.\-_年](\d{1,2})月?份?$")


@dataclass(frozen=True)
class PeriodSource:
    """A period as one place gives it: whole, or a month without its year (a sheet
    named `3月`, a column headed `3月`) that takes the year from another place."""

    origin: str
    period: Period | None
    cell: str | None = None
    month: int | None = None
    decides: bool = True  # False: only checked against the period read (a column headed `2017年/本月`)


@lru_cache(maxsize=4096)  # the sheets of one template share their names
def sheet_name_period(name: str | None) -> PeriodSource | None:
    """`3月`, `3月份`, `2016.03`, `2016年3月`: the sheet's name as a period."""
    if not name:
        return None
    text = normalize_text(name)
    month = month_alone(text)
    if month is not None:
        return PeriodSource(SHEET, None, month=month)
    match = _SHEET_YEAR_MONTH.match(text)
    if match and 1 <= int(match.group(2)) <= 12:
        return PeriodSource(SHEET, Period.month(int(match.group(1)), int(match.group(2))))
    found = find_period(text)
    return PeriodSource(SHEET, found) if found is not None else None


def settle_period(sources: list[PeriodSource]) -> tuple[PeriodSource | None, list[tuple[PeriodSource, str]]]:
    """(the period read, [(a place that says otherwise, severity)]) from the places in
    order of LABEL, SHEET, TITLE, HEADER, FILE, OPTION (absent ones left out).

    The first place that gives a period wins; a title that names only a year (a monthly
    template's 2016年度) yields to a month inside it from a later place, a title naming
    some months (2016年1-3月) only to the file's own (its name or header), never to
    --period: the sheet says whose figures it holds. A month alone takes the year of the first place
    that has one. Another place disagrees when its period does not hold the one read (a
    file named for the year holds each of its months): an error, but for a title, or a
    header's or file name's month alone (`3月`, `大宁镇3月报表`), which may be decoration
    or a date: a warning. A header naming its year (`2016年1-3月`) says whose figures
    the column holds: an error too."""
    year = next((s.period.year for s in sources if s.period is not None), None)
    whole = [s if s.period is not None else replace(s, period=Period.month(year, s.month))
             for s in sources if s.period is not None or (s.month is not None and year is not None)]
    chosen = next((s for s in whole if s.decides), None)
    if chosen is None:
        return None, []
    if chosen.origin == TITLE and not chosen.period.is_month:
        whole_year = chosen.period.first % 12 == 0 and chosen.period.last == chosen.period.first + 11
        chosen = next((s for s in whole[whole.index(chosen) + 1:] if s.decides and chosen.period.contains(s.period)
                       and s.period.is_month and (whole_year or s.origin != OPTION)), chosen)
    conflicts = [(s, WARNING if s.origin == TITLE or (s.origin in (HEADER, FILE) and s.month is not None) else ERROR)
                 for s in whole
                 if s is not chosen and s.origin != OPTION and not s.period.contains(chosen.period)]
    return chosen, conflicts
