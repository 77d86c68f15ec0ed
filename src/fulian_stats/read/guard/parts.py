"""Which parts of a workbook's zip calamine reads, and which sheets show each worksheet
part: from xl/workbook.xml and its relationships, resolved as calamine resolves them.

What calamine reads of a workbook: the parts it opens by name, the folders sheets and
tables live in, and the sheets, shared strings and styles the workbook's relationships
point at. A part the relationships name otherwise (a theme, say) is left out of the
copy (guard/zipcopy.py): a sheet pointing there is an error for calamine, not a part
read unchecked.
"""

from __future__ import annotations

import html
import posixpath
import re
from functools import lru_cache

from fulian_stats.read.guard.xml import ATTRS, MAX_TAG_BYTES, attributes, parse_attributes

RELS = "xl/_rels/workbook.xml.rels"
READ_AT_OPEN = frozenset({"xl/workbook.xml", RELS, "xl/styles.xml"})
SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/macrosheets/", "xl/dialogsheets/", "xl/tables/")
# The package's own relationships only tell calamine the file is a workbook: the copy
# has them as Excel writes them.
PACKAGE_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                b'officeDocument" Target="xl/workbook.xml"/></Relationships>')


@lru_cache(maxsize=256)  # the workbooks of one template have the same relationships, byte for byte
def targets(rels: bytes) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The parts (lower case) the workbook's relationships name as sheets, as shared
    strings and as styles: those calamine may read besides the ones it opens by name.
    Each path is resolved as calamine resolves a sheet's, and also with `.` and `..`
    taken out (`xl/./a.xml`). Read otherwise than calamine reads them, a part is left
    out of its copy (an error for calamine), never let in unchecked."""
    sheets, strings, styles = set(), set(), set()
    for kind, target in _relationships(rels):
        path = target.replace("\\", "/").lower()
        path = path[1:] if path.startswith("/") else path if path.startswith("xl/") else "xl/" + path
        paths = {path, posixpath.normpath(path)} if "/." in path else {path}
        if kind.endswith("sheet"):
            sheets |= paths
        elif kind == "sharedstrings":
            strings |= paths
        elif kind == "styles":
            styles |= paths
    return frozenset(sheets), frozenset(strings), frozenset(styles)


# A relationship as the usual writers spell it; any other spelling is read attribute by attribute.
_RELATIONSHIP = re.compile(rb'<Relationship((?: [\w:]+="[^"<>&]*")*) ?/>')


def _relationships(rels: bytes) -> list[tuple[str, str]]:
    """(type's last word, lower case; target) of each relationship."""
    tags = _RELATIONSHIP.findall(rels)
    if len(tags) == rels.count(b"<Relationship") - rels.count(b"<Relationships") and b":Relationship" not in rels \
            and all(tag.count(b' Target="') == 1 and tag.count(b' Type="') <= 1 for tag in tags):
        found = [(attributes(tag).get(b"Type", b""), attributes(tag)[b"Target"]) for tag in tags]
    else:
        found = [(attrs.get(b"Type", b""), attrs[b"Target"]) for attrs in tag_attributes(rels, b"Relationship")
                 if attrs and b"Target" in attrs]
        found = [tuple(html.unescape(v.decode("utf-8", "replace")).encode("utf-8") for v in pair) for pair in found]
    return [(kind.decode("utf-8", "replace").rsplit("/", 1)[-1].lower(), target.decode("utf-8", "replace"))
            for kind, target in found]


_PREFIX = re.compile(rb'(?:[\w.-]+:)?')


def tag_attributes(xml: bytes, name: bytes) -> list[dict[bytes, bytes] | None]:
    """The attributes of every `<name` or `<prefix:name` tag, found by a literal search;
    None for a tag whose attributes cannot be told apart. A prefix longer than a tag may
    be is not looked back through (the word repeated a million times would cost that
    squared): such a tag is not found."""
    found = []
    pos = xml.find(name)
    while pos >= 0:
        end = pos + len(name)
        opening = xml.rfind(b"<", max(0, pos - MAX_TAG_BYTES), pos)
        if opening >= 0 and end < len(xml) and xml[end] in b" \t\r\n/>" and _PREFIX.fullmatch(xml, opening + 1, pos):
            tag = ATTRS.match(xml, end, end + MAX_TAG_BYTES)
            values, whole = parse_attributes(tag.group(1) if tag else b"")
            found.append(values if tag is not None and whole else None)
        pos = xml.find(name, end)
    return found


_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@lru_cache(maxsize=256)  # the workbooks of one template have the same two parts, byte for byte
def sheet_names(workbook: bytes, rels: bytes) -> dict[str, list[str]]:
    """Worksheet part (lower case) → the names of the sheets that show it; empty when
    they cannot be read. Only for saying which sheet a finding is about: the copy
    calamine reads is checked whatever the names say."""
    from defusedxml import ElementTree

    try:
        rels = ElementTree.fromstring(rels)
        book = ElementTree.fromstring(workbook)
    except Exception:  # noqa: BLE001 - missing parts, bad XML, and defusedxml's refusals of entities and DTDs
        return {}
    paths = {}
    for rel in rels.iter():
        target, rel_id = rel.get("Target"), rel.get("Id")
        if target and rel_id:
            path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
            paths[rel_id] = path.replace("\\", "/").lower()
    names: dict[str, list[str]] = {}
    for sheet in book.iter():
        if sheet.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rel_id = sheet.get(f"{{{_REL_NS}}}id") or next(
            (v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        if rel_id in paths and sheet.get("name") is not None:
            names.setdefault(paths[rel_id], []).append(sheet.get("name"))
    return names
