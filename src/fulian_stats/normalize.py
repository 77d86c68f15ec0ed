"""Text normalisation shared by every name lookup (indicators, headers, orgs).

Submissions spell the same thing many ways: full-width characters, stray spaces,
numbering such as `1.` or `（一）`, `其中：`, quotes, and a unit in brackets.
Everything is compared after `normalize_name`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》")
# Leading numbering: `1.`, `1、`, `(一)`, `一、`, `第一`, and the `其中:` of a sub-row.
_NUMBERING = re.compile(
    r"^(?:\d+[.、]|[(][一二三四五六七八九十\d]+[)]|[一二三四五六七八九十]+[、.]|其中[:]?)+"
)
_TRAILING_BRACKET = re.compile(r"^(.*?)[(]([^()]*)[)]$")


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Full-width to half-width, no whitespace, no quotes."""
    text = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", text).translate(_QUOTES)


@lru_cache(maxsize=65536)
def split_unit(text: str, known_units: frozenset[str]) -> tuple[str, str | None]:
    """Normalise a row or column name and split off a trailing unit in brackets.

    `提供就业岗位（个）` → (`提供就业岗位`, `个`). A bracket that is not a known unit is
    part of the name (`其中贫困妇女(家政培训)` keeps its bracket).
    """
    name = _NUMBERING.sub("", normalize_text(text))
    match = _TRAILING_BRACKET.match(name)
    if match and match.group(2) in known_units:
        return match.group(1), match.group(2)
    return name, None


def normalize_name(text: str) -> str:
    """The key a name is looked up by: normalised text without numbering."""
    return _NUMBERING.sub("", normalize_text(text))


@lru_cache(maxsize=65536)
def is_sub_item(text: str) -> bool:
    """`其中：贫困妇女`, `（1）其中贫困妇女`: a row that is part of the row above it."""
    match = _NUMBERING.match(normalize_text(text))
    return match is not None and "其中" in match.group(0)
