"""The indicator catalog: what can be reported, its unit, section and kind.

The default catalog ships as package data; a user's own (`--catalog FILE`) has the same
columns. A catalog is validated before use: a broken one is one Chinese error naming
the row, never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from fulian_stats.report.numbers import phrase_problem
from fulian_stats.errors import CatalogError, UsageError
from fulian_stats.normalize import is_sub_item, split_unit
from fulian_stats.units import plausible_max, scale_prefixed

KINDS = {"flow": "流量（按月相加）", "stock": "存量（取期末值）", "rate": "比率（分子÷分母×100）"}
CATALOG_COLUMNS = ["id", "name", "unit", "section", "kind", "numerator", "denominator", "aliases", "parent", "phrase"]
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    unit: str
    section: str
    kind: str
    numerator: str | None = None
    denominator: str | None = None
    aliases: tuple[str, ...] = ()
    # A sub-item (`其中：贫困妇女`) is part of its parent's figure: its name is matched
    # under the parent's row only, and it is shown as `参训妇女中的贫困妇女`.
    parent: str | None = None
    label: str = ""  # the name as shown anywhere: the name, or a sub-item's with its parent's
    # The 综述's clause for the figure: {n} the number with its scale word, {u} the unit
    # after it (cnnum.cn_phrase). Without a phrase column: the name, then the figure.
    phrase: str = "{n}{u}"

    def __post_init__(self):
        if not self.label:
            object.__setattr__(self, "label", self.name)

    @property
    def is_count(self) -> bool:
        """Counted in whole units (people, events), so fractions are suspect."""
        return self.kind != "rate" and self.unit not in {"万元", "元", "亿元", "%", "万人次"}

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "unit": self.unit,
            "section": self.section,
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "aliases": list(self.aliases),
            "parent": self.parent,
            "label": self.label,
            "phrase": self.phrase,
        }


class Catalog:
    """Indicators in catalog order, found by id or by any normalised name or alias."""

    def __init__(self, indicators: list[Indicator], source: str = "默认指标目录"):
        self.indicators = indicators
        self.source = source
        self.by_id = {ind.id: ind for ind in indicators}
        self.sections = list(dict.fromkeys(ind.section for ind in indicators))
        self.units = scale_prefixed({ind.unit for ind in indicators})
        self.counted_ids = frozenset(ind.id for ind in indicators if ind.is_count)
        self.rate_ids = frozenset(ind.id for ind in indicators if ind.kind == "rate")
        self.bounds = {ind.id: plausible_max(ind.unit) for ind in indicators}  # the largest plausible value
        self._by_name: dict[str, str] = {}
        self._under: dict[tuple[str, str], str] = {}  # (parent id, name) → sub-item id
        self._lookups: dict[str, tuple[str | None, str | None]] = {}
        for ind in indicators:
            for spelling in global_spellings(ind):
                self._by_name[self.name_key(spelling)] = ind.id
            if ind.parent:
                self._under[(ind.parent, self.name_key(ind.name))] = ind.id

    def __iter__(self):
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __getitem__(self, indicator_id: str) -> Indicator:
        return self.by_id[indicator_id]

    def name_key(self, text: str) -> str:
        return split_unit(text, self.units)[0]

    def indicator_named(self, text: str) -> str:
        """The id of an indicator given by its id, name or alias (参训妇女, 参训人数:
        trainees), as a user types it; one the catalog has not is refused."""
        found = text if text in self.by_id else self.lookup(text.strip())[0]
        if found is None:
            raise UsageError(f"指标目录中没有指标“{text}”（fulian-stats indicators 可列出全部指标的编号和名称）")
        return found

    def lookup(self, text: str) -> tuple[str | None, str | None]:
        """(indicator id or None, unit written in brackets or None) for a row/column name."""
        known = self._lookups.get(text)
        if known is None:
            name, unit = split_unit(text, self.units)
            found = self._by_name.get(name)
            if found is None and name in self.by_id:
                found = name
            # Every form repeats the same names: remember them (bounded: names are short and few).
            known = (found, unit)
            if len(self._lookups) < 100_000 and len(text) < 200:
                self._lookups[text] = known
        return known

    def lookup_row(self, text: str, parent: str | None) -> tuple[str | None, str | None]:
        """lookup() for a row (or column) that follows the row of indicator `parent`: a
        `其中：…` row is first a sub-item of that parent; any other name is first looked
        up on its own, then as a sub-item (`贫困妇女` right under `参训妇女`)."""
        if parent is None or not self._under:
            return self.lookup(text)
        sub = is_sub_item(text)
        if sub:
            name, unit = split_unit(text, self.units)
            found = self._under.get((parent, name))
            if found is not None:
                return found, unit
        found, unit = self.lookup(text)
        if found is None and not sub:
            found = self._under.get((parent, split_unit(text, self.units)[0]))
        return found, unit

    def row_names(self, indicators: list[Indicator]) -> list[str]:
        """How each indicator is written as a row of a form, in this order: a sub-item
        right under its parent (or its parent's other sub-items) as `其中：贫困妇女`, which
        the reader takes as part of the row above; anywhere else by its label."""
        names, parent = [], None
        for ind in indicators:
            if ind.parent is not None and ind.parent == parent:
                names.append(f"其中：{ind.name}")
                continue
            names.append(ind.label)
            parent = ind.id if ind.parent is None else None
        return names

    def in_section(self, section: str) -> list[Indicator]:
        return [ind for ind in self.indicators if ind.section == section]


def global_spellings(ind: Indicator) -> tuple[str, ...]:
    """The spellings that name the indicator anywhere: a sub-item's own name only
    under its parent, its label and aliases anywhere."""
    return (ind.label, *ind.aliases) if ind.parent else (ind.name, *ind.aliases)


def _split_aliases(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split("|") if a.strip())


def parse_catalog(text: str, source: str) -> Catalog:
    """Build and validate a catalog from CSV text; errors name the source and row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CATALOG_COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"指标目录 {source} 缺少列：{'、'.join(missing)}（应有 {','.join(CATALOG_COLUMNS)}）")
    indicators: list[Indicator] = []
    lines: dict[str, int] = {}  # id → its line in the file
    for row in reader:
        line = reader.line_num

        def fail(message: str) -> CatalogError:
            return CatalogError(f"指标目录 {source} 第{line}行：{message}")

        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(cells.values()):
            continue  # an empty row, such as the `,,,,,,,` Excel leaves behind
        ind = Indicator(
            id=cells.get("id", ""),
            name=cells.get("name", ""),
            unit=cells.get("unit", ""),
            section=cells.get("section", ""),
            kind=cells.get("kind", ""),
            numerator=cells.get("numerator") or None,
            denominator=cells.get("denominator") or None,
            aliases=_split_aliases(cells.get("aliases", "")),
            parent=cells.get("parent") or None,
            phrase=cells.get("phrase") or cells.get("name", "") + "{n}{u}",
        )
        if not _ID.match(ind.id):
            raise fail(f"指标编号“{ind.id}”无效（只能用小写英文字母、数字和下划线，以字母开头）")
        for column, label in (("name", "名称"), ("unit", "单位"), ("section", "栏目")):
            if not getattr(ind, column):
                raise fail(f"指标 {ind.id} 缺少{label}")
        if ind.kind not in KINDS:
            raise fail(f"指标 {ind.id} 的类型“{ind.kind}”未知（应为 flow、stock 或 rate）")
        problem = phrase_problem(ind.phrase)
        if problem:
            raise fail(f"指标 {ind.id} 的{problem}")
        if ind.kind == "rate" and not (ind.numerator and ind.denominator):
            raise fail(f"比率指标 {ind.id} 必须填写分子（numerator）和分母（denominator）")
        if ind.id in lines:
            raise fail(f"指标编号 {ind.id} 重复")
        lines[ind.id] = line
        indicators.append(ind)
    if not indicators:
        raise CatalogError(f"指标目录 {source} 中没有指标")
    indicators = _with_labels(indicators, lines, source)
    # Names are compared as the reader looks them up (Catalog.lookup): normalised, without
    # numbering and without a trailing unit in brackets, which needs every row's unit first.
    units = scale_prefixed({ind.unit for ind in indicators})
    seen_names: dict[str, str] = {}
    for ind in indicators:
        for spelling in global_spellings(ind):
            key = split_unit(spelling, units)[0]
            other = seen_names.setdefault(key, ind.id)
            if other != ind.id:
                raise CatalogError(f"指标目录 {source} 第{lines[ind.id]}行：名称或别名“{spelling}”与第{lines[other]}行"
                                   f"的指标 {other} 重复（规范化后相同）")
    under: dict[tuple[str, str], str] = {}
    for ind in indicators:
        if ind.parent:
            other = under.setdefault((ind.parent, split_unit(ind.name, units)[0]), ind.id)
            if other != ind.id:
                raise CatalogError(f"指标目录 {source} 第{lines[ind.id]}行：“{ind.name}”与第{lines[other]}行的指标 {other}"
                                   f"同属 {ind.parent}，名称重复")
    ids = {ind.id for ind in indicators}
    for ind in indicators:
        line = lines[ind.id]
        for part in (ind.numerator, ind.denominator):
            if part is not None and part not in ids:
                raise CatalogError(f"指标目录 {source} 第{line}行：比率指标 {ind.id} 的分子或分母 {part} 不在目录中")
            if part is not None and part in ids and next(i for i in indicators if i.id == part).kind == "rate":
                raise CatalogError(f"指标目录 {source} 第{line}行：比率指标 {ind.id} 的分子或分母 {part} 不能本身是比率")
    return Catalog(indicators, source)


def _with_labels(indicators: list[Indicator], lines: dict[str, int], source: str) -> list[Indicator]:
    """The indicators with their parents checked and each sub-item's label made."""
    by_id = {ind.id: ind for ind in indicators}
    labelled = {}

    def label(ind: Indicator, path: tuple[str, ...]) -> str:
        if ind.id in labelled:
            return labelled[ind.id]
        if not ind.parent:
            return ind.name
        line = lines[ind.id]
        if ind.parent not in by_id:
            raise CatalogError(f"指标目录 {source} 第{line}行：指标 {ind.id} 的上级指标（parent）{ind.parent} 不在目录中")
        if ind.parent in path:
            raise CatalogError(f"指标目录 {source} 第{line}行：指标 {ind.id} 的上级指标（parent）关系形成了循环")
        text = f"{label(by_id[ind.parent], (*path, ind.id))}中的{ind.name}"
        labelled[ind.id] = text
        return text

    return [replace(ind, label=label(ind, (ind.id,))) if ind.parent else ind for ind in indicators]


def read_text_file(path: Path, what: str) -> str:
    """A small UTF-8 (or GB18030) text file the user gave, or a Chinese error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"找不到{what}文件：{path}") from None
    except OSError as exc:
        raise CatalogError(f"无法读取{what}文件 {path}：{exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogError(f"{what}文件 {path} 的编码无法识别（请另存为 UTF-8）")


def default_data(name: str) -> str:
    return resources.files("fulian_stats").joinpath("data", name).read_text(encoding="utf-8")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The user's catalog when a path is given, else the default one."""
    if path is None:
        return parse_catalog(default_data("indicators.csv"), "默认指标目录")
    path = Path(path)
    return parse_catalog(read_text_file(path, "指标目录"), str(path))


def parse_rules(text: str, source: str, catalog: Catalog) -> list:
    """Validation rules from CSV text; every id they name must be in the catalog."""
    from fulian_stats.errors import ExpressionError
    from fulian_stats.checks.expression import parse_rule

    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "severity", "check", "message") if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"规则文件 {source} 缺少列：{'、'.join(missing)}（应有 id,severity,check,when,message）")
    rules = []
    for line, row in enumerate(reader, start=2):
        cells = {k: (row.get(k) or "").strip() for k in ("id", "severity", "check", "when", "message")}
        if not cells["id"]:
            continue
        try:
            rule = parse_rule(**cells)
        except ExpressionError as exc:
            raise CatalogError(f"规则文件 {source} 第{line}行：{exc}") from None
        unknown = sorted(n for n in rule.names if n not in catalog.by_id)
        if unknown:
            raise CatalogError(f"规则文件 {source} 第{line}行：规则“{rule.id}”用到的指标 {'、'.join(unknown)} 不在指标目录中")
        rules.append(rule)
    return rules


def load_rules(catalog: Catalog, path: str | Path | None = None) -> list:
    if path is None:
        return parse_rules(default_data("rules.csv"), "默认规则", catalog)
    path = Path(path)
    return parse_rules(read_text_file(path, "规则"), str(path), catalog)
