"""The org registry (`orgs.csv`: name, parent, aliases) and org-name normalisation.

The registry gives the canonical spelling (`大宁` → `大宁镇`), the hierarchy
(township → county → city) and the expected submitters. Without one, names are only
cleaned (`大宁镇妇联` → `大宁镇`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from fulian_stats.catalog import read_text_file
from fulian_stats.errors import CatalogError, ConfigError, UsageError
from fulian_stats.normalize import normalize_text

_FEDERATION_SUFFIX = re.compile(r"(?:妇女联合会|妇联|妇联会|妇委会)$")
_ADMIN_SUFFIX = re.compile(r"(?:街道办事处|办事处|街道|镇|乡|社区|村)$")
# Level names for --level: the height above the leaves of the registry tree.
LEVELS = {"township": 0, "乡镇": 0, "街道": 0, "county": 1, "县": 1, "区": 1, "区县": 1, "city": 2, "市": 2}


def clean_org_name(text: str) -> str:
    """`大宁镇妇联 ` → `大宁镇`: normalised, without the federation suffix."""
    return _FEDERATION_SUFFIX.sub("", normalize_text(text))


def core_name(name: str) -> str:
    """`大宁镇` → `大宁`: what two spellings of one place share, for comparing them."""
    return _ADMIN_SUFFIX.sub("", clean_org_name(name)) or name


@dataclass(frozen=True)
class Org:
    name: str
    parent: str | None
    aliases: tuple[str, ...]


class OrgRegistry:
    def __init__(self, orgs: list[Org], source: str):
        self.orgs = {org.name: org for org in orgs}
        self.source = source
        self._by_key: dict[str, str] = {}
        for org in orgs:
            for spelling in (org.name, *org.aliases):
                self._by_key[clean_org_name(spelling)] = org.name
        self.children: dict[str, list[str]] = {name: [] for name in self.orgs}
        for org in orgs:
            if org.parent:
                self.children[org.parent].append(org.name)
        self._heights: dict[str, int] = {}
        # Spellings of two or more characters by their first one, in registry order:
        # a name is searched for only where a text has its first character, so finding
        # the org in a file name costs a few lookups, not one per spelling (thousands in
        # a province).
        self._by_first: dict[str, list[str]] = {}
        for key in self._by_key:
            if len(key) >= 2:
                self._by_first.setdefault(key[0], []).append(key)
        self._order = {key: i for i, key in enumerate(self._by_key)}

    def canonical(self, text: str) -> str | None:
        """The registry name for any spelling or alias, or None."""
        return self._by_key.get(clean_org_name(text))

    def find_in(self, text: str, leaves_only: bool = False) -> str | None:
        """The org whose longest name or alias appears inside `text` (a title, a file name);
        with `leaves_only`, an org with none under it, outside the names of those above
        (青溪县白沙镇妇联: 白沙镇; 青溪县妇联 is no 青溪 township's)."""
        text = normalize_text(text)
        order = self._order
        best = None
        for i, ch in enumerate(text):
            for key in self._by_first.get(ch, ()):
                # The longest; of equally long ones, the first in the registry.
                if text.startswith(key, i) and (best is None or len(key) > len(best) or
                                                (len(key) == len(best) and order[key] < order[best])):
                    best = key
        if best and leaves_only and self.children.get(self._by_key[best]):
            return self.find_in(text.replace(best, "|"), leaves_only=True)
        return self._by_key[best] if best else None

    def height(self, name: str) -> int:
        """0 for an org with no children (a township), 1 above it, …"""
        if name not in self._heights:
            kids = self.children.get(name, [])
            self._heights[name] = 0 if not kids else 1 + max(self.height(kid) for kid in kids)
        return self._heights[name]

    def ancestor_at(self, name: str, height: int) -> str | None:
        """The org at `height` above `name` (itself when it already is at that height)."""
        current: str | None = name
        while current is not None and self.height(current) < height:
            current = self.orgs[current].parent
        return current if current is not None and self.height(current) == height else None

    def region_named(self, name: str | None) -> str | None:
        """The registry's name of a region given by any of its spellings (青溪县妇联:
        青溪县); one it does not have is refused."""
        if name is None or name in self.orgs:
            return name
        found = self.canonical(name)
        if found is None:
            raise UsageError(f"地区 {name} 不在单位名册中", command_line=f"--region {name} 不在单位名册中")
        return found

    def descendants(self, name: str) -> list[str]:
        found: list[str] = []
        for kid in self.children.get(name, []):
            found.append(kid)
            found.extend(self.descendants(kid))
        return found

    def leaves(self, under: str | None = None) -> list[str]:
        """The orgs expected to submit: those without children (under one org when given;
        a township given is itself the one)."""
        if under in self.children and not self.children[under]:
            return [under]
        names = self.descendants(under) if under else list(self.orgs)
        return [n for n in names if not self.children[n]]


_COUNTY_LEVEL = re.compile(r"(?:县|区|市|旗|盟|州)$")


def has_orgs_under(org: str, registry: OrgRegistry | None) -> bool:
    """The org has others under it: by the registry, else by its name (a 县, 区 or 市)."""
    if registry is not None:
        return bool(registry.children.get(registry.canonical(org) or org))
    return _COUNTY_LEVEL.search(clean_org_name(org)) is not None


def is_above(upper: str, lower: str, registry: OrgRegistry | None) -> bool:
    """`upper` has `lower` under it: by the registry, else by their names (a 县, 区 or 市
    above a 镇, 乡 or 街道)."""
    if registry is not None:
        upper, lower = registry.canonical(upper) or upper, registry.canonical(lower) or lower
        return upper in registry.orgs and lower in registry.descendants(upper)
    return has_orgs_under(upper, None) and not has_orgs_under(lower, None)


def parse_orgs(text: str, source: str) -> OrgRegistry:
    reader = csv.DictReader(io.StringIO(text))
    if "name" not in (reader.fieldnames or []):
        raise ConfigError(f"单位名册 {source} 缺少 name 列（应有 name,parent,aliases）")
    orgs: list[Org] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        name = normalize_text(row.get("name") or "")
        if not name:
            continue
        parent = normalize_text(row.get("parent") or "") or None
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        for spelling in (name, *aliases):
            key = clean_org_name(spelling)
            if key in seen and seen[key] != line:
                raise ConfigError(f"单位名册 {source} 第{line}行：名称或别名“{spelling}”与第{seen[key]}行重复")
            seen[key] = line
        orgs.append(Org(name, parent, aliases))
    names = {org.name for org in orgs}
    for org in orgs:
        if org.parent and org.parent not in names:
            raise ConfigError(f"单位名册 {source}：{org.name} 的上级“{org.parent}”不在名册中")
    registry = OrgRegistry(orgs, source)
    for org in orgs:
        seen_path = {org.name}
        current = org.parent
        while current:
            if current in seen_path:
                raise ConfigError(f"单位名册 {source}：{org.name} 的上级关系形成了循环")
            seen_path.add(current)
            current = registry.orgs[current].parent
    return registry


def load_orgs(path: str | Path) -> OrgRegistry:
    path = Path(path)
    try:
        text = read_text_file(path, "单位名册")
    except CatalogError as exc:
        raise ConfigError(str(exc)) from None
    return parse_orgs(text, str(path))


def parse_level(text: str) -> int:
    """--level: a name (township/county/city, 乡镇/县/市) or a height number."""
    key = text.strip().lower()
    if key in LEVELS:
        return LEVELS[key]
    if key.isdigit():
        return int(key)
    raise ConfigError(f"无法识别的层级：{text}（可用 township/乡镇、county/县、city/市）")
