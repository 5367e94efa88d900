"""Copies of answers people read (CSV, compilation, conflicts): labels and names, no row
numbers, no keys."""

from __future__ import annotations

from plans import definitions
from plans.display import flat_rows, records_text, value_text


def test_a_table_answer_reads_as_lines_of_labelled_cells_without_row_numbers():
    ws = definitions.worksheet("w4_4")
    f = ws.field("invites")
    value = [
        {
            "invitee": "Ana Ruiz",
            "ask": "coalition_member",
            "compensation": 150,
            "status": "declined",
        }
    ]
    text = value_text(f, value, reader=True)
    assert "Row " not in text
    assert text == (
        "Person or organization: Ana Ruiz; What we asked: Join the coalition; "
        "Payment offered ($): $150; Status: Declined"
    )


def test_csv_rows_name_records_and_show_labels_not_keys():
    ws = definitions.worksheet("w8_1")
    data = {
        "records": [
            {
                "strategic_action": "Living wage ordinance",
                "metric": "share_employed",
                "frequency": "semiannual",
                "element_type": "outcome_long",
            }
        ]
    }
    rows = flat_rows(ws, data)
    assert {r["record"] for r in rows} == {"Living wage ordinance"}
    answers = {r["question"]: r["answer"] for r in rows}
    assert answers["How often it is collected"] == "Twice a year"
    assert answers["Mobility Metric (if any)"].startswith("Employment-to-population ratio")
    assert "field" not in rows[0]
    text = records_text(ws, data["records"])
    assert text.startswith("Living wage ordinance\n") and "semiannual" not in text


def test_an_option_no_longer_defined_prints_nothing_for_a_reader():
    f = definitions.worksheet("w8_3").field("governance")
    assert value_text(f, "retired_option", reader=True) == ""
