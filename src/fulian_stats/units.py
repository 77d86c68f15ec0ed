"""Units of measure and the known scales between them (元/万元/亿元, 人/万人)."""

from __future__ import annotations

from fulian_stats.normalize import normalize_text

# Prefixes that scale a base unit; `万元` is 10,000 `元`.
_SCALE_PREFIXES = {"亿": 100_000_000, "万": 10_000, "千": 1_000}
# Units that are spelled differently but count the same thing.
_SYNONYMS = {"名": "人", "位": "人", "户数": "户", "件数": "件"}


def unit_scale(unit: str) -> tuple[str, int]:
    """(base unit, factor): `万元` → (`元`, 10000); `人` → (`人`, 1)."""
    unit = normalize_text(unit)
    factor = 1
    if len(unit) > 1 and unit[0] in _SCALE_PREFIXES:
        factor, unit = _SCALE_PREFIXES[unit[0]], unit[1:]
    return _SYNONYMS.get(unit, unit), factor


def conversion_factor(found: str, expected: str) -> float | None:
    """What a value in unit `found` is multiplied by to be in `expected`; None if unrelated."""
    found_base, found_factor = unit_scale(found)
    expected_base, expected_factor = unit_scale(expected)
    if found_base != expected_base:
        return None
    return found_factor / expected_factor


def factor_into(found: str | None, expected: str) -> float | None:
    """What a value written in unit `found` (None or empty: the catalog's own) is
    multiplied by to be in the catalog's unit `expected`; None if unrelated."""
    if not found or found == expected or normalize_text(found) == expected:
        return 1.0
    return conversion_factor(found, expected)


def units_disagree(written: str | None, bracketed: str | None) -> bool:
    """A 计量单位 cell and the unit in the name's brackets (`资金（万元）`) that are both
    written and are not the same unit: which one the figure is in is not known."""
    return bool(written and bracketed) and factor_into(written, bracketed) != 1.0


def scale_prefixed(units: set[str]) -> frozenset[str]:
    """The units, plus every scaled spelling of them, for recognising a unit in a header."""
    found = set(units)
    for unit in units:
        base, _ = unit_scale(unit)
        found.add(base)
        found.update(prefix + base for prefix in _SCALE_PREFIXES)
    found.update(_SYNONYMS)
    return frozenset(normalize_text(u) for u in found if u)


# The most a township reports for one month, by the kind of unit: beyond it a value is a
# typing slip or a damaged cell, never a figure (docs/findings.md, NUMBER_IMPLAUSIBLE).
MAX_COUNT = 1e9  # people, events, things
MAX_YUAN = 1e12  # money: 10^8 万元
MAX_PERCENT = 1e3  # a rate typed in


def plausible_max(unit: str) -> float:
    """The largest value a township's month may hold, in `unit`."""
    base, factor = unit_scale(unit)
    if base == "%":
        return MAX_PERCENT
    return (MAX_YUAN if base == "元" else MAX_COUNT) / factor
