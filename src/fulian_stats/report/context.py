"""The template context of a report (public: users write their own templates; the
names are documented in docs/templates.md)."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fulian_stats.aggregate.compare import Comparison
from fulian_stats.catalog import Catalog, Indicator, default_data, read_text_file
from fulian_stats.errors import CatalogError, FulianError
from fulian_stats.periods import Period

LEADER_MIN_ORGS = 3  # naming the org that led means little among two
LEADER_MIN_SHARE = 0.3  # …or when it did not stand out: at least 30%,
LEADER_OVER_EQUAL = 2  # …and at least twice an equal share of the orgs that reported
LEADER_MIN_TOTAL = 10  # …or of a handful of things


class TemplateNameError(FulianError):
    """A template asked for an indicator that is not in the catalog."""


class IndicatorValues(Mapping):
    """`v.trainees` or `v["trainees"]`: the value, None when nothing was reported, and an
    error naming the indicator when the catalog has no such id."""

    def __init__(self, values: dict[str, float], catalog: Catalog):
        self._values = values
        self._catalog = catalog

    def __getitem__(self, key: str):
        if key not in self._catalog.by_id:
            raise TemplateNameError(f"模板中用到了指标目录中没有的指标“{key}”")
        return self._values.get(key)

    def __getattr__(self, key: str):
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __iter__(self):
        return iter(self._catalog.by_id)

    def __len__(self) -> int:
        return len(self._catalog.by_id)


def _totals(result) -> dict[str, float]:
    if result is None:
        return {}
    return {r["indicator"]: r["value"] for r in result.rows
            if r["org"] == result.region and r["period"] == result.period.code}


def build_context(data: Comparison, catalog: Catalog, region: str, theme: str | None = None,
                  office: str | None = None, date: datetime.date | None = None,
                  sections: dict[str, SectionText] | None = None) -> dict:
    """The public template context (documented in docs/templates.md). `office` is the
    issuing office of the 落款 (None when nobody said which), `date` the date of
    drafting (today by default), `sections` each section's heading, opening sentence and
    sentences (load_sections; the built-in ones by default)."""
    current = data.current
    by_org: dict[str, dict] = {}
    for row in current.org_rows:
        by_org.setdefault(row["org"], {})[row["indicator"]] = row["value"]

    def mapping(result):
        return IndicatorValues(_totals(result), catalog) if result is not None and result.rows else None

    v = IndicatorValues(_totals(current), catalog)

    def leader(indicator: str):
        """The org that contributed most to a total, when that is worth saying."""
        shares = [(values.get(indicator) or 0, org) for org, values in by_org.items()]
        total = v[indicator]
        reporting = len([s for s in shares if s[0]])
        if reporting < LEADER_MIN_ORGS or not total or total < LEADER_MIN_TOTAL:
            return None
        value, org = max(shares)
        if value / total < max(LEADER_MIN_SHARE, LEADER_OVER_EQUAL / reporting):
            return None
        return {"org": org, "value": value, "share": value / total * 100}

    return {
        "region": region,
        "theme": theme,
        "period": current.period,
        "v": v,
        "prev": mapping(data.previous),
        "year_ago": mapping(data.year_ago),
        "ytd": mapping(data.year_to_date),
        "by_org": {org: IndicatorValues(values, catalog) for org, values in by_org.items()},
        "indicators": list(catalog),
        "sections": [(section, catalog.in_section(section)) for section in catalog.sections],
        "parts": parts_of(catalog, load_sections(catalog) if sections is None else sections),
        "office": office,
        "date": date or datetime.date.today(),
        "orgs": list(current.orgs),
        "files": int(current.observations["file"].nunique()) if len(current.observations) else 0,
        "leader": leader,
        "coverage": coverage_context(current.coverage),
    }


def coverage_context(coverage) -> dict:
    """Which orgs and months the totals cover, for a template to say so (docs/templates.md)."""
    def gaps(listed):
        return [{"org": org, "months": coverage.months_text(months), "codes": [Period(m, m).code for m in months]}
                for org, months in listed]

    return {
        "expected_orgs": list(coverage.orgs) if coverage.expected else None,
        "reporting_orgs": coverage.reporting_orgs,
        "complete_orgs": coverage.complete_orgs,
        "is_complete": coverage.complete,
        "missing": gaps(coverage.missing),
        "invalid": gaps(coverage.invalid),
        "partial": gaps(coverage.partial),
        "missing_text": coverage.missing_text,
        "invalid_text": coverage.invalid_text,
        "partial_text": coverage.partial_text,
        "skipped_files": list(coverage.skipped_files),
    }


# ---------------------------------------------------------------- the parts of a 综述

SECTIONS_FILE = "sections.csv"  # package data, and its name in the office's templates folder
SECTION_COLUMNS = ["section", "heading", "opening", "sentences"]
SENTENCE_CLAUSES = 3  # indicators no row groups make sentences of at most this many (and their sub-items)


@dataclass(frozen=True)
class SectionText:
    """How a 综述 writes one section: its heading, the sentence it opens with, and the
    indicator ids each of its sentences is made of."""

    heading: str
    opening: str = ""
    sentences: tuple[tuple[str, ...], ...] = ()


def parse_sections(text: str, source: str, catalog: Catalog, strict: bool = True) -> dict[str, SectionText]:
    """section → SectionText from CSV text (columns section, heading, opening, sentences).
    `strict` (a user's file): an id that is not one of the section's indicators is an
    error naming the row; the built-in file leaves out what the catalog does not have."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in SECTION_COLUMNS[:2] if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"栏目标题文件 {source} 缺少列：{'、'.join(missing)}（应有 {','.join(SECTION_COLUMNS)}）")
    found: dict[str, SectionText] = {}
    for row in reader:
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue
        where = f"栏目标题文件 {source} 第{reader.line_num}行"
        section = cells.get("section", "")
        if not section:
            raise CatalogError(f"{where}：缺少栏目（section）")
        if section in found:
            raise CatalogError(f"{where}：栏目“{section}”重复")
        members = {ind.id for ind in catalog.in_section(section)}
        groups, seen = [], set()
        for group in cells.get("sentences", "").split("|"):
            ids = []
            for ident in group.split():
                if ident in seen and strict:
                    raise CatalogError(f"{where}：指标 {ident} 写了两次")
                if ident not in members:
                    if strict:
                        raise CatalogError(f"{where}：指标 {ident} 不是指标目录中栏目“{section}”的指标")
                    continue
                seen.add(ident)
                ids.append(ident)
            if ids:
                groups.append(tuple(ids))
        found[section] = SectionText(cells.get("heading") or section, cells.get("opening", ""), tuple(groups))
    return found


def load_sections(catalog: Catalog, folder: Path | None = None) -> dict[str, SectionText]:
    """The built-in section texts, each row of the office's `sections.csv` (in its
    templates folder) replacing the built-in row of its section."""
    texts = parse_sections(default_data(SECTIONS_FILE), "（内置）", catalog, strict=False)
    own = Path(folder) / SECTIONS_FILE if folder is not None else None
    if own is not None and own.is_file():
        texts.update(parse_sections(read_text_file(own, "栏目标题"), str(own), catalog))
    return texts


def sentence_plan(members: list[Indicator], groups: tuple[tuple[str, ...], ...]) -> list[list[Indicator]]:
    """The section's indicators as sentences, each indicator once, in the order of each
    sentence's first indicator: the groups given, then the others in catalog order,
    SENTENCE_CLAUSES to a sentence, a sub-item or a rate never apart from the one before."""
    by_id = {ind.id: ind for ind in members}
    planned = {ident: i for i, group in enumerate(groups) for ident in group}
    sentences: list[list[Indicator]] = [[by_id[i] for i in group] for group in groups]
    first = {i: members.index(group[0]) for i, group in enumerate(sentences)}
    loose: list[list[Indicator]] = []
    for ind in members:
        if ind.id in planned:
            continue
        joins = loose and (ind.parent or ind.kind == "rate" or len(loose[-1]) < SENTENCE_CLAUSES)
        if joins and members.index(loose[-1][-1]) == members.index(ind) - 1:
            loose[-1].append(ind)
        else:
            loose.append([ind])
    ordered = [(first[i], s) for i, s in enumerate(sentences)] + [(members.index(s[0]), s) for s in loose]
    return [s for _, s in sorted(ordered, key=lambda pair: pair[0])]


def parts_of(catalog: Catalog, texts: dict[str, SectionText]) -> list[dict]:
    """One part of the 综述 per section, in catalog order (docs/templates.md, `parts`)."""
    parts = []
    for section in catalog.sections:
        members = catalog.in_section(section)
        text = texts.get(section) or SectionText(section)
        parts.append({"section": section, "heading": text.heading, "opening": text.opening,
                      "indicators": members, "sentences": sentence_plan(members, text.sentences)})
    return parts


def office_of(place: str | None) -> str | None:
    """The issuing office of a region's report: 青溪县 → 青溪县妇联; None when no region is known."""
    if not place:
        return None
    return place if place.endswith("妇联") else f"{place}妇联"
