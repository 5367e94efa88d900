"""The MAP finds its worksheets and record-owning sections through the data, not by key."""

from __future__ import annotations

import shutil

import pytest

from plans import definitions
from plans.content import DATA_DIR, STRATEGY_RECORDS
from plans.loader import load_definitions
from plans.map import options


def test_each_strategy_record_comes_from_one_worksheet_that_feeds_a_section_showing_it():
    for record in STRATEGY_RECORDS:
        worksheet = options.record_worksheet(record)
        showing = [s.key for s in definitions.map_sections() if record in s.shows]
        assert len(showing) == 1, record
        assert showing[0] in worksheet.feeds, record


def test_an_unknown_record_or_shows_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    step = data / "step07.yaml"
    step.write_text(step.read_text().replace("role: vision", "role: visions", 1))
    sections = data / "map_sections.yaml"
    sections.write_text(sections.read_text().replace("shows: [charts]", "shows: [graphs]", 1))
    with pytest.raises(definitions.DefinitionError) as error:
        load_definitions(data)
    text = str(error.value)
    assert "unknown role 'visions'" in text and "shows 'graphs'" in text


def test_two_worksheets_cannot_become_the_same_record(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    step = data / "step07.yaml"
    step.write_text(step.read_text().replace("role: theories", "role: vision", 1))
    with pytest.raises(definitions.DefinitionError, match="held by more than one worksheet"):
        load_definitions(data)
