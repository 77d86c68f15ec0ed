"""A workbook part's XML as a strict reader sees it, before the lenient one reads it.

python-calamine reads damaged XML the way a lenient reader guesses: of two cells with
one address the later wins, a value whose opening tag was lost or that stands outside
any cell vanishes, an illegal character reference is dropped. Excel and openpyxl
refuse such a file, and so does this module: a worksheet or the shared strings must be
well-formed XML (expat, with no DTD or entity at all), and every value the worksheet
writes must come back from calamine (grid.py compares the count written here with the
cells read), so that no value is lost without a word.
"""

from __future__ import annotations

import re
import xml.parsers.expat as expat
from typing import NamedTuple

# expat's errors (its messages name them; codes number them), as a township's clerk
# may read them; the rest: "格式有误".
_REASONS = {expat.errors.codes[message]: reason for message, reason in (
    (expat.errors.XML_ERROR_INVALID_TOKEN, "有不允许出现的字符"),
    (expat.errors.XML_ERROR_BAD_CHAR_REF, "有不允许的字符"),
    (expat.errors.XML_ERROR_TAG_MISMATCH, "标签不配对"),
    (expat.errors.XML_ERROR_UNCLOSED_TOKEN, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_NO_ELEMENTS, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_PARTIAL_CHAR, "内容不完整（可能被截断）"),
    (expat.errors.XML_ERROR_UNDEFINED_ENTITY, "引用了未定义的实体"),
    (expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT, "结尾有多余的内容"),
    (expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE, "同一标签中有重复的属性"),
)}
_CELL_TAG = b'<c r="'


class XmlProblem(NamedTuple):
    reason: str  # in Chinese
    cell: str | None  # the last cell begun before the damage, where one was


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused


def xml_problem(xml: bytes) -> XmlProblem | None:
    """Why the part is no well-formed XML document, or None. A DTD (and with it any
    entity of its own) is refused: no spreadsheet writes one, and entities are how XML
    tricks work."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse
    try:
        parser.Parse(xml, True)
    except _Refused:
        return XmlProblem("含有文档类型声明（DTD）", None)
    except expat.ExpatError as exc:
        return XmlProblem(_REASONS.get(exc.code, "格式有误"), _cell_before(xml, parser.ErrorByteIndex))
    return None


def _cell_before(xml: bytes, at: int) -> str | None:
    start = xml.rfind(_CELL_TAG, 0, max(at, 0) + 1)
    if start < 0:
        return None
    end = xml.find(b'"', start + len(_CELL_TAG), start + len(_CELL_TAG) + 12)
    ref = xml[start + len(_CELL_TAG):end] if end > 0 else b""
    return ref.decode("ascii").upper() if ref.isalnum() and ref.isascii() else None


def values_written(xml: bytes) -> int:
    """How many cells of a worksheet hold a value calamine must give back non-empty:
    every <v> with text but an error cell's (calamine gives "" for `#DIV/0!`), and
    every inline string with text. Counted by literal searches: a few microseconds a
    sheet."""
    values = xml.count(b"<v>") + xml.count(b"<v ") - xml.count(b"<v></v>") - xml.count(b"<v/>") - xml.count(b' t="e"')
    inline = xml.count(b"<is>") - xml.count(b"<is><t/></is>") - xml.count(b"<is><t></t></is>")
    return values + inline


_EMPTY_STRING = re.compile(rb'<t/>|<t></t>|<t xml:space="preserve"></t>|<si/>|<si></si>')


def has_empty_strings(shared: bytes) -> bool:
    """Shared strings with an empty text: a cell naming one is read as empty, rightly."""
    return _EMPTY_STRING.search(shared) is not None
