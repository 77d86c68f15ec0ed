"""Damaged sheet XML is refused, the way Excel and openpyxl refuse it, naming the sheet
and, where known, the cell: never read the way a lenient reader guesses, with a value
silently lost (read/guard/xml.py, and the count of values in read/grid.py)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from conftest import CATALOG, form_rows, write_xlsx
from fulian_stats.read import ReadContext, read_file
from fulian_stats.read.guard.xml import cells_out_of_order, has_empty_strings, values_written, xml_problem
from test_guard_zipcopy import with_part_changed

SHEET = "xl/worksheets/sheet1.xml"


def damaged(tmp_path, change) -> list:
    """(code, sheet, cell, message) of reading the usual March form after `change` of its sheet XML."""
    good = write_xlsx(tmp_path / "good.xlsx", form_rows())
    path = tmp_path / "大宁镇_2016-03.xlsx"
    path.write_bytes(with_part_changed(good.read_bytes(), SHEET, change))
    result = read_file(path, ReadContext(CATALOG), path.name)
    return [(f.code, f.sheet, f.cell, f.message) for f in result.findings], result.observations


def cell(xml: bytes, ref: str) -> bytes:
    start = xml.index(f'<c r="{ref}"'.encode())
    return xml[start:xml.index(b"</c>", start) + 4]


def test_the_usual_form_passes_and_every_value_comes_back(tmp_path):
    found, observations = damaged(tmp_path, lambda xml: xml)
    assert found == [] and len(observations) == 10


@pytest.mark.parametrize("spell", [str.upper, str.lower], ids=["same", "lower-case"])
def test_two_cells_with_one_address_are_damage(tmp_path, spell):
    """The later of two cells D4 wins in calamine: the earlier's value would vanish."""
    def twice(xml: bytes) -> bytes:
        d4 = cell(xml, "D4")
        return xml.replace(d4, d4 + d4.replace(b'r="D4"', f'r="{spell("D4")}"'.encode()).replace(b">45<", b">99<"))
    found, observations = damaged(tmp_path, twice)
    assert found == [("FILE_UNREADABLE", "月报", None, "文件已损坏：工作表“月报”中有34个单元格写有内容，但只能读出33个（可能有"
                      "地址重复的单元格，或有内容不在任何单元格中）；请在Excel或WPS中打开并另存后重新报送")]
    assert observations == []


def test_a_value_outside_any_cell_is_damage(tmp_path):
    found, _ = damaged(tmp_path, lambda xml: xml.replace(b"</row>", b"<v>5</v></row>", 1))
    assert [f[:2] for f in found] == [("FILE_UNREADABLE", "月报")] and "只能读出" in found[0][3]


def test_a_value_that_lost_its_opening_tag_is_damage_at_its_cell(tmp_path):
    found, _ = damaged(tmp_path, lambda xml: xml.replace(cell(xml, "D5"), cell(xml, "D5").replace(b"<v>", b"", 1)))
    assert found == [("FILE_UNREADABLE", "月报", "D5", "文件已损坏：工作表“月报”D5单元格附近标签不配对，无法可靠地读出数值；"
                      "请在Excel或WPS中打开并另存后重新报送")]


@pytest.mark.parametrize("reference", [b"&#1;", b"&#xD800;"])
def test_an_illegal_character_reference_is_damage(tmp_path, reference):
    found, _ = damaged(tmp_path, lambda xml: xml.replace(cell(xml, "D6"), cell(xml, "D6").replace(b"<v>", b"<v>" + reference)))
    assert found[0][:3] == ("FILE_UNREADABLE", "月报", "D6") and "有不允许的字符" in found[0][3]


def test_a_document_type_declaration_is_refused(tmp_path):
    found, _ = damaged(tmp_path, lambda xml: xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "1">]><worksheet', 1))
    assert found[0][:2] == ("FILE_UNREADABLE", "月报") and "文档类型声明" in found[0][3]


def test_cells_calamine_rightly_reads_as_empty_are_no_damage(tmp_path):
    """An error value (`#DIV/0!`), a formula whose text result is empty, an empty shared string."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "月报"
    for row in form_rows():
        ws.append(row)
    ws["F4"] = ""
    out = io.BytesIO()
    book.save(out)
    path = tmp_path / "大宁镇_2016-03.xlsx"
    def formulas_in_row_4(xml: bytes) -> bytes:
        end = xml.index(b"</row>", xml.index(b'<row r="4"'))
        return xml[:end] + b'<c r="G4" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="H4" t="str"><f>""</f><v></v></c>' + xml[end:]
    path.write_bytes(with_part_changed(out.getvalue(), SHEET, formulas_in_row_4))
    result = read_file(path, ReadContext(CATALOG), path.name)
    assert result.findings == [] and len(result.observations) == 10


def test_two_cells_with_swapped_addresses_are_damage_at_the_first_out_of_place(tmp_path):
    """calamine puts each cell where its address says: D5's value would be read as E7's."""
    def swapped(xml: bytes) -> bytes:
        return xml.replace(b'r="D5"', b'r="@"').replace(b'r="E7"', b'r="D5"').replace(b'r="@"', b'r="E7"')
    found, observations = damaged(tmp_path, swapped)
    assert found == [("FILE_UNREADABLE", "月报", "E7", "文件已损坏：工作表“月报”中单元格的地址顺序错乱（E7写在了E5之前，"
                      "地址可能被改动过），无法可靠地读出数值；请在Excel或WPS中打开并另存后重新报送")]
    assert observations == []


def _cells(*refs: str, tag: str = '<c r="{}">') -> bytes:
    return b"<sheetData><row>" + b"".join(tag.format(r).encode() + b"<v>1</v></c>" for r in refs) + b"</row></sheetData>"


@pytest.mark.parametrize("refs", [
    ("A1", "B1", "Z1", "AA1", "AB1", "ZZ1", "AAA1"),  # a longer column comes after: not byte order
    ("A9", "A10", "B10", "A100"),  # rows by number
    ("A1", "b1", "C1"),  # lower case is the same cell (calamine reads it so)
    ("A1", "A1"),  # the same address twice is the count's to name (grid.py)
    ("A1", "x", "B1"),  # no address at all: calamine's to refuse
], ids=["columns", "rows", "lower-case", "twice", "no-address"])
def test_cells_in_the_order_of_their_addresses_pass(refs):
    assert cells_out_of_order(_cells(*refs)) is None


@pytest.mark.parametrize("tag", ['<c r="{}">', '<c s="1" r="{}">', '<x:c r="{}">', '<c\n r="{}">'],
                         ids=["usual", "address-last", "prefixed", "line-break"])
def test_the_first_cell_out_of_place_is_named_however_the_tag_is_written(tag):
    assert cells_out_of_order(_cells("A1", "AA1", "B1", "C2", tag=tag)) == (
        "中单元格的地址顺序错乱（AA1写在了B1之前，地址可能被改动过）", "AA1", False)
    assert cells_out_of_order(_cells("A2", "B2", "A1", tag=tag))[1] == "B2"


def test_a_sequence_once_found_in_order_does_not_hide_another():
    """In-order sequences are remembered (forms of one template repeat them): only those."""
    assert cells_out_of_order(_cells("A1", "B1", "C1")) is None
    assert cells_out_of_order(_cells("A1", "B1", "C1")) is None
    assert cells_out_of_order(_cells("A1", "C1", "B1"))[1] == "C1"
    assert cells_out_of_order(_cells("A1", "B1", "C1") + b'<c s="2" r="A1"><v>2</v></c>')[1] == "C1"


def test_the_counts_and_checks_themselves():
    assert values_written(b'<c r="A1"><v>1</v></c><c r="A2" t="e"><v>#N/A</v></c><c r="A3"><v></v></c>') == 1
    assert xml_problem(b"<a><b/></a>") is None
    assert xml_problem(b'<a><c r="B7"><v>1</a>') == ("标签不配对", "B7", True)
    assert has_empty_strings(b"<sst><si><t/></si></sst>") and not has_empty_strings(b"<sst><si><t>x</t></si></sst>")


# The guard's searches stay linear however a sheet's tags are cut: each stops at the
# next `<` or looks back no further than a tag may reach (regressions from a fuzz
# campaign, where runs of unclosed tags cost seconds to minutes a file).

def test_a_tags_attributes_never_run_past_a_less_than_sign():
    from fulian_stats.read.guard.xml import ATTRS

    assert ATTRS.match(b' r="A1" s="1">').group(1) == b' r="A1" s="1"'
    assert ATTRS.match(b' r="A1" <c r="B1">') is None  # was read up to the next tag's `>`
    assert ATTRS.match(b' x="a<b" r="B1">') is None  # `<` in a value is no XML: unreadable, so refused


def test_a_formula_tag_is_not_read_across_another_tag():
    from fulian_stats.read.guard.xml import FORMULA_NO_VALUE

    xml = b'<f <f>1</f>'
    assert [m.start() for m in FORMULA_NO_VALUE.finditer(xml)] == [3]  # was 0: the first `<f` read to the second's `>`


def test_a_formulas_cell_is_looked_for_only_as_far_back_as_a_tag_reaches():
    from fulian_stats.read.guard.xml import MAX_TAG_BYTES, formulas_without_values

    assert formulas_without_values(b'<c r="B2"><f>1</f></c>') == ["B2"]
    assert formulas_without_values(b'<c r="B2">' + b" " * (MAX_TAG_BYTES + 64) + b"<f>1</f></c>") == [""]


@pytest.mark.parametrize("xml, cells", [
    (b'<c r="D6" t="e"><f>1/0</f><v>#DIV/0!</v></c>', {"D6": "#DIV/0!"}),  # Excel: the formula, then its error
    (b"<c t='e' r='d6' s='3'><v>#REF!</v></c>", {"D6": "#REF!"}),  # the attributes in any order and quoting
    (b'<x:c r="D6" t="e"><x:v>#N/A</x:v></x:c>', {"D6": "#N/A"}),  # as the OpenXML SDK writes it
    (b'<c r="D6" t="e"><v>#GETTING_DATA</v></c>', {"D6": "#GETTING_DATA"}),
    (b'<c r="D6" t="e"><v>not an error</v></c>', {}),
    (b'<c r="D6" t="s"><v>0</v></c><c r="E6" t="n"><v>3</v></c>', {}),
    (b'<c r="D6" t="e">' + b" " * 5000 + b"<v>#REF!</v></c>", {}),  # bounded: no search past a tag's reach
])
def test_error_cells_give_the_error_each_one_shows(xml, cells):
    from fulian_stats.read.guard.xml import error_cells

    assert error_cells(xml) == cells


@pytest.mark.parametrize("xml, rows, columns", [
    (b'<cols><col min="5" max="6" hidden="1" width="9"/></cols><row r="6" spans="1:5" hidden="1"><c r="D6"/></row>',
     {5}, {4, 5}),
    (b"<x:row hidden='true' r='12'/><x:col max='2' min='2' hidden='true'/>", {11}, {1}),  # prefixed, other spelling
    (b'<row r="6" hidden="0"/><col min="1" max="1" hidden="false"/>', set(), set()),
    (b'<row r="x" hidden="1"/><sheetPr hidden="1"/>', set(), set()),  # no number, or not a row or column
    (b'<col min="1" max="99999" hidden="1"/>', set(), set(range(16384))),  # no wider than a sheet
])
def test_hidden_rows_and_columns_are_found_by_their_tags(xml, rows, columns):
    from fulian_stats.read.guard.xml import hidden_rows_and_columns

    assert hidden_rows_and_columns(xml) == (rows, columns)
