"""sheetxml.py's searches stay linear however a sheet's tags are cut: each stops at the
next `<` or looks back no further than a tag may reach (regressions from a fuzz
campaign, where runs of unclosed tags cost seconds to minutes a file)."""

from __future__ import annotations

from fulian_stats.read.sheetxml import _ATTRS, _FORMULA_NO_VALUE, MAX_TAG_BYTES, _extent, _formulas_without_values


def test_a_tags_attributes_never_run_past_a_less_than_sign():
    assert _ATTRS.match(b' r="A1" s="1">').group(1) == b' r="A1" s="1"'
    assert _ATTRS.match(b' r="A1" <c r="B1">') is None  # was read up to the next tag's `>`
    assert _ATTRS.match(b' x="a<b" r="B1">') is None  # `<` in a value is no XML: unreadable, so refused


def test_a_cell_tag_that_runs_into_the_next_counts_as_reaching_beyond_the_grid():
    assert _extent(b'<sheetData><row r="1"><c <c r="A1"><v>1</v></c></row></sheetData>') == (1 << 31, 1 << 31)


def test_a_formula_tag_is_not_read_across_another_tag():
    xml = b'<f <f>1</f>'
    assert [m.start() for m in _FORMULA_NO_VALUE.finditer(xml)] == [3]  # was 0: the first `<f` read to the second's `>`


def test_a_formulas_cell_is_looked_for_only_as_far_back_as_a_tag_reaches():
    assert _formulas_without_values(b'<c r="B2"><f>1</f></c>') == ["B2"]
    assert _formulas_without_values(b'<c r="B2">' + b" " * (MAX_TAG_BYTES + 64) + b"<f>1</f></c>") == [""]
