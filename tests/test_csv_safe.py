"""CSV formula injection is neutralised cell by cell; ordinary text and numbers are untouched."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.csv_safe import safe_cell, safe_row


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"https://evil.example\",\"x\")", "+1+1", "-cmd|' /C calc'!A0",
                                  "@SUM(A1)", "\tx", "\rx", "-", "=1"])
def test_formulas_become_text(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Oracle", "CTR-1", "", "120000.00", "-12.50", "2027-03-31", "a=b", " =x"])
def test_ordinary_cells_unchanged(cell: str) -> None:
    assert safe_cell(cell) == cell


def test_none_is_empty_and_rows_map_each_cell() -> None:
    assert safe_cell(None) == ""
    assert safe_row(["=1", "x", 3]) == ["'=1", "x", "3"]


@given(st.text())
def test_no_output_cell_starts_a_formula_unless_a_plain_number(text: str) -> None:
    out = safe_cell(text)
    if out.startswith(("=", "+", "@", "\t", "\r")):
        raise AssertionError(out)
    if out.startswith("-"):
        assert out == text and text.lstrip("-").replace(".", "", 1).isdigit()
