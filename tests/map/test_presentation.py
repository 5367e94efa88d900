"""The feeding worksheets as the plan prints them: tables, labels, names, formatted numbers,
and only what may be published."""

from __future__ import annotations

import shutil

import pytest
import yaml

from plans import definitions
from plans.content import DATA_DIR
from plans.loader import load_definitions
from plans.map import presentation, services
from plans.map.presentation import Publication, row_id, section_blocks
from plans.selectors import shared_response
from tests.map.sample_plan import (
    SECRET,
    feeding_worksheets,
    fill_every_feeding_worksheet,
    found_keys,
    raw_keys,
    texts_of,
)


def _blocks(coalition, audience="public", publication=None) -> list[dict]:
    out = []
    for section in definitions.map_sections():
        out += section_blocks(
            coalition,
            section.fed_by,
            section_key=section.key,
            audience=audience,
            publication=publication,
        )
    return out


def _section(coalition, key, audience="public") -> list[str]:
    spec = next(s for s in definitions.map_sections() if s.key == key)
    return texts_of(section_blocks(coalition, spec.fed_by, section_key=key, audience=audience))


@pytest.fixture
def filled(coalition, pm):
    fill_every_feeding_worksheet(pm)
    return coalition


# --- the definitions ----------------------------------------------------------------------------


def _load_with(tmp_path, old: str, new: str, file: str = "step04.yaml"):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(definitions.DefinitionError) as error:
        load_definitions(data)
    return str(error.value)


def test_an_unknown_column_in_a_presentation_is_refused(tmp_path):
    text = _load_with(
        tmp_path,
        "columns: [invitee, ask, status,",
        "columns: [invitee, asked, status,",
    )
    assert "w4_4 › present › invites" in text and "'columns' names 'asked'" in text


def test_a_bad_visibility_and_a_bad_layout_are_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    step = data / "step04.yaml"
    step.write_text(
        step.read_text()
        .replace("{key: invitee, visibility: internal,", "{key: invitee, visibility: secret,", 1)
        .replace("heading: Champions", "heading: Champions\n      as: cards", 1)
    )
    with pytest.raises(definitions.DefinitionError) as error:
        load_definitions(data)
    text = str(error.value)
    assert "invitee: visibility 'secret' must be one of public, internal" in text
    assert "w4_3 › present: 'as' 'cards' must be one of table, facts, paragraphs" in text
    assert "'as' applies to repeating worksheets only" in text


def test_every_field_of_a_feeding_worksheet_states_its_visibility():
    """Decided field by field (docs/map.md), not left to the loader's default."""
    fed = {ws.key for ws in feeding_worksheets()}
    missing = []
    for path in sorted(DATA_DIR.glob("step*.yaml")):
        for sheet in yaml.safe_load(path.read_text())["worksheets"]:
            if sheet["key"] not in fed:
                continue
            for f in sheet.get("fields", []):
                if f["type"] != "guidance" and "visibility" not in f:
                    missing.append(f"{sheet['key']}.{f['key']}")
                for c in f.get("columns", []):
                    if "visibility" not in c:
                        missing.append(f"{sheet['key']}.{f['key']}.{c['key']}")
    assert missing == []


def test_sensitive_worksheets_are_internal_by_default():
    ws42, ws44, ws102 = (definitions.worksheet(k) for k in ("w4_2", "w4_4", "w10_2"))
    assert ws42.field("p2_candidates").visibility == "internal"
    assert ws44.field("invites").visibility == "internal"
    assert ws102.field("calendar").visibility == "internal"
    assert definitions.worksheet("w4_5").field("community_compensation").visibility == "internal"
    # People are internal wherever they appear.
    for ws in feeding_worksheets():
        for f in ws.fields:
            for g in (f, *f.columns):
                if g.type == "person":
                    assert g.visibility == "internal", (ws.key, g.key)


def test_every_feeding_worksheet_has_a_presentation():
    for ws in feeding_worksheets():
        assert ws.present.heading or ws.present.printed_by, ws.key


# --- the public document ------------------------------------------------------------------------


def test_the_public_plan_reads_as_a_document_and_keeps_internal_answers_out(filled, team):
    blocks = _blocks(filled)
    texts = texts_of(blocks)
    joined = "\n".join(texts)
    assert texts, "the sample answers print"
    assert "Row " not in joined
    assert SECRET not in joined
    assert found_keys(texts, raw_keys()) == set()
    for member in team.values():
        assert member.user.display_name not in joined
    # Internal worksheets' own words and headers are absent too.
    assert "Payment offered" not in joined and "Coming events" not in joined
    assert "Invitations" not in joined  # W4.4 prints nothing at all
    # Tables are tables, with labels as headers.
    tables = {b["key"]: b for b in blocks if b["type"] == "table"}
    assert tables["w4_1.members"]["headers"] == ["Organization", "Role on the team"]
    assert tables["w10_4.sources"]["rows"][0][3] == "$1,500"
    assert "40.9%" in tables["w2_4.pop_shares"]["rows"][0]
    # W2.4's representation ratio is a finding of M4, from the (internal) seats table.
    ratio = tables["w2_4.ratio"]
    assert ratio["headers"] == ["Group", "Share of officials", "Share of residents", "Ratio"]
    assert any(row[3] not in ("", "0.00") for row in ratio["rows"])
    assert all(
        len(cell.split(".")[-1].rstrip("%")) <= 2 for row in ratio["rows"] for cell in row[1:]
    )


def test_the_internal_view_shows_everything_marked(filled):
    texts = texts_of(_blocks(filled, audience="internal"))
    joined = "\n".join(texts)
    assert SECRET in joined
    assert "Internal: not published" in joined
    assert "Person (internal: not published)" in joined  # a column of a public table
    assert "Payment offered ($)" in joined
    assert "Row " not in joined


def test_numbers_dates_and_references_read_as_words(filled):
    texts = _section(filled, "M4")
    joined = "\n".join(texts)
    assert "Employment-to-population ratio for adults ages 25 to 54" in joined
    m3 = "\n".join(_section(filled, "M3"))
    assert "2026-01-11" not in m3 and "January 11, 2026" in m3


def test_a_project_manager_brings_a_field_in_and_takes_one_out(filled, pm):
    services.map_visibility_set(
        actor=pm, worksheet="w4_4", field_path="invites", visibility="public"
    )
    services.map_visibility_set(
        actor=pm, worksheet="w4_4", field_path="invites.compensation", visibility="internal"
    )
    services.map_visibility_set(
        actor=pm, worksheet="w4_5", field_path="purpose", visibility="internal"
    )
    # The invitations table's own columns are internal by default: bring two in.
    for column in ("invitee", "status"):
        services.map_visibility_set(
            actor=pm, worksheet="w4_4", field_path=f"invites.{column}", visibility="public"
        )
    joined = "\n".join(_section(filled, "M3"))
    assert "Invitations" in joined and f"{SECRET} w4_4.invites.invitee" in joined
    assert "Payment offered" not in joined
    assert "Our shared purpose" not in joined
    # Back to the default.
    services.map_visibility_set(actor=pm, worksheet="w4_5", field_path="purpose", visibility="")
    assert "Our shared purpose" in "\n".join(_section(filled, "M3"))


def test_a_project_manager_chooses_the_rows_a_section_publishes(filled, pm):
    rows = shared_response(filled, "w6_7").data["sessions"]
    services.section_rows_choose(
        actor=pm, section="M3", worksheet="w6_7", field="sessions", rows=[row_id(rows[1])]
    )
    public = "\n".join(_section(filled, "M3"))
    assert "feedback (W6.7, 2)" in public and "feedback (W6.7, 1)" not in public
    internal = "\n".join(_section(filled, "M3", audience="internal"))
    assert "feedback (W6.7, 1)" in internal
    assert "Not published (not chosen for this section)" in internal
    # Records of a repeating worksheet too.
    records = shared_response(filled, "w6_5").data["records"]
    services.section_rows_choose(
        actor=pm, section="M4", worksheet="w6_5", rows=[row_id(records[0])]
    )
    m4 = "\n".join(_section(filled, "M4"))
    assert "program (W6.5, 1)" in m4 and "program (W6.5, 2)" not in m4
    services.section_rows_choose(actor=pm, section="M4", worksheet="w6_5", rows=None)
    assert "program (W6.5, 2)" in "\n".join(_section(filled, "M4"))


def test_choices_are_checked_and_only_a_project_manager_makes_them(filled, pm, team):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        services.map_visibility_set(
            actor=team["data_lead"], worksheet="w4_4", field_path="invites", visibility="public"
        )
    with pytest.raises(ValidationError) as bad:
        services.map_visibility_set(
            actor=pm, worksheet="w4_4", field_path="invitations", visibility="public"
        )
    assert "field" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.map_visibility_set(
            actor=pm, worksheet="w4_4", field_path="invites", visibility="secret"
        )
    assert "visibility" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.section_rows_choose(
            actor=pm, section="M4", worksheet="w6_7", field="sessions", rows=[]
        )
    assert "worksheet" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.section_rows_choose(
            actor=pm, section="M3", worksheet="w6_7", field="sessions", rows=["nope"]
        )
    assert "rows" in bad.value.message_dict


def test_an_unknown_choice_key_prints_nothing_rather_than_the_key():
    ws = definitions.worksheet("w8_3")
    f = ws.field("governance")
    lookups = presentation.Lookups()
    assert presentation.cell_text(f, "backbone", lookups) != "backbone"
    assert presentation.cell_text(f, "no_such_option", lookups) == ""


def test_publication_round_trips_through_a_frozen_document():
    pub = Publication({"w4_4.invites": "public"}, {"M3:w6_7:sessions": ["abc"]})
    assert Publication.from_dict(pub.as_dict()) == pub


def test_without_a_presentation_every_worksheet_still_reads_as_a_document(coalition, team):
    """The default derived from the fields: facts, paragraphs and tables, never a dump."""
    from dataclasses import replace

    from plans.content import Presentation
    from plans.display import Names
    from tests.map.sample_plan import sample_data

    members = [m.pk for m in team.values()]
    lookups = presentation.Lookups(Names({m.pk: m.user.display_name for m in team.values()}), {})
    for ws in feeding_worksheets():
        bare = replace(ws, present=Presentation())
        for audience in ("public", "internal"):
            out = presentation.worksheet_blocks(
                bare,
                sample_data(bare, members),
                section_key="",  # every field, whichever section it feeds
                audience=audience,
                publication=Publication(),
                lookups=lookups,
            )
            if audience == "internal" or out:
                assert out[0] == {"type": "heading", "text": ws.title, "level": 2}, ws.key
            texts = texts_of(out)
            assert not [t for t in texts if t.startswith("Row ")], ws.key
            if audience == "public":  # (internal sample answers quote their field keys)
                assert found_keys(texts, raw_keys()) == set(), ws.key
                assert SECRET not in "\n".join(texts), ws.key


def test_records_as_paragraphs_and_tables_grouped_by_a_column(team):
    from dataclasses import replace

    from tests.map.sample_plan import sample_data

    members = [m.pk for m in team.values()]
    lookups = presentation.Lookups()
    ws = definitions.worksheet("w6_5")
    as_paragraphs = replace(ws, present=replace(ws.present, as_="paragraphs"))
    out = presentation.worksheet_blocks(
        as_paragraphs,
        sample_data(ws, members),
        section_key="M4",
        audience="public",
        publication=Publication(),
        lookups=lookups,
    )
    titles = [b["text"] for b in out if b["type"] == "heading" and b["level"] == 3]
    assert len(titles) == 2 and titles[0].startswith("Residents told us about program")
    paragraphs = [b for b in out if b["type"] == "text"]
    assert paragraphs[0]["html"].startswith("<p><strong>Run by.</strong> Boone County")
    # W6.6's findings print one table per pillar, named by the pillar.
    w66 = definitions.worksheet("w6_6")
    grouped = presentation.worksheet_blocks(
        w66,
        sample_data(w66, members),
        section_key="M4",
        audience="public",
        publication=Publication(),
        lookups=lookups,
    )
    pillars = [p.name for p in definitions.framework().pillars]
    group_headings = [b["text"] for b in grouped if b["type"] == "heading" and b["text"] in pillars]
    assert len(group_headings) == 2
    findings = [b for b in grouped if b.get("key") == "w6_6.findings"]
    assert len(findings) == 2 and "Pillar" not in findings[0]["headers"]
