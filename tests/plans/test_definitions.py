"""The planning guide's content files load, hang together, and reject broken definitions.

No database and no Django settings are needed: the content is plain data.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from metrics.catalog import catalog_load
from plans import definitions
from plans.definitions import FIELD_TYPES, NON_CELL_TYPES, DefinitionError, load_definitions
from plans.loader import framework_catalog_problems

DATA = definitions.DATA_DIR


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


def all_fields(fields):
    for f in fields:
        yield f
        yield from all_fields(f.columns)


# --- the real content ----------------------------------------------------------------------


def test_every_content_file_is_present_and_loads(defs):
    names = sorted(p.name for p in DATA.glob("*.yaml"))
    expected = [f"step{n:02}.yaml" for n in range(1, 11)]
    assert names == sorted(["framework.yaml", "map_sections.yaml", "options.yaml", *expected])
    assert [s.number for s in defs.steps] == list(range(1, 11))


def test_counts_match_the_guide(defs):
    fw = defs.framework
    assert len(defs.steps) == 10
    assert len(defs.worksheets) == 47
    per_step = [len(s.worksheets) for s in defs.steps]
    assert per_step == [2, 4, 2, 5, 7, 8, 5, 5, 4, 5]
    assert len(fw.dimensions) == 3
    assert len(fw.pillars) == 5
    assert [len(p.predictors) for p in fw.pillars] == [5, 5, 6, 4, 4]
    assert len(fw.predictors) == 24
    assert len(fw.principles) == 6
    assert len(fw.actor_types) == 8


def test_worksheets_are_numbered_like_the_guide(defs):
    for step in defs.steps:
        numbers = [w.number for w in step.worksheets]
        assert numbers == [f"{step.number}.{i}" for i in range(1, len(numbers) + 1)]
        assert all(w.key == f"w{step.number}_{i}" for i, w in enumerate(step.worksheets, 1))
        assert all(w.step == step.number for w in step.worksheets)


def test_map_sections_run_m0_to_m11_in_order(defs):
    assert [s.key for s in defs.map_sections] == [f"M{i}" for i in range(12)]
    titles = {s.key: s.title for s in defs.map_sections}
    assert titles["M4"] == "Summary of Upward Mobility Findings"
    assert titles["M8"] == "Measurement Plan"


def test_every_field_type_is_used_somewhere(defs):
    used = {f.type for w in defs.worksheets.values() for f in all_fields(w.fields)}
    assert used == set(FIELD_TYPES)


def test_every_worksheet_feeds_existing_map_sections_both_ways(defs):
    sections = {s.key: s for s in defs.map_sections}
    for w in defs.worksheets.values():
        for m in w.feeds:
            assert w.key in sections[m].fed_by, (w.key, m)
        for f in all_fields(w.fields):
            assert set(f.feeds) <= set(sections), (w.key, f.key)
    for s in defs.map_sections:
        assert s.fed_by, f"{s.key} is fed by nothing"
        for key in s.fed_by:
            assert s.key in defs.worksheets[key].feeds


def test_step_feeds_cover_what_its_worksheets_feed(defs):
    for step in defs.steps:
        assert set(step.feeds) >= {m for w in step.worksheets for m in w.feeds}
    assert defs.steps[0].feeds == ("M2",)  # the framework itself, not a worksheet answer


def test_individual_answers_reach_the_plan_only_through_a_compilation(defs):
    w51 = defs.worksheets["w5_1"]
    assert w51.filled_by.compiled_in == "w5_2"
    assert w51.filled_by.sharing_setting == "w5_2.sharing_mode"
    sharing = defs.worksheets["w5_2"].field("sharing_mode")
    assert [o.key for o in sharing.options] == [
        "attributed",
        "anonymized",
        "themes_only",
        "not_shared",
    ]
    for w in defs.worksheets.values():
        if w.filled_by.mode == "individual":
            assert w.feeds == (), w.key


def test_predictor_and_pillar_names_are_the_frameworks(defs):
    fw = defs.framework
    assert [p.name for p in fw.pillars] == [
        "Rewarding Work",
        "High-Quality Education",
        "Opportunity-Rich & Inclusive Neighborhoods",
        "Healthy Environment & Access to Good Health Care",
        "Responsive & Just Governance",
    ]
    assert [p.name for p in fw.predictors] == [
        "Employment opportunities", "Jobs paying living wages", "Opportunities for income",
        "Financial security", "Wealth-building opportunities",
        "Access to preschool", "Effective public education", "School economic diversity",
        "Preparation for college", "Digital access",
        "Housing affordability", "Housing stability", "Economic inclusion", "Racial diversity",
        "Social capital", "Transportation access",
        "Access to health services", "Neonatal health", "Environmental quality",
        "Safety from trauma",
        "Political participation", "Descriptive representation", "Safety from crime",
        "Just policing",
    ]  # fmt: skip
    assert (
        fw.predictor("neonatal-health").pillar
        == "healthy-environment-and-access-to-good-health-care"
    )
    assert [d.name for d in fw.dimensions] == [
        "Economic success",
        "Power and autonomy",
        "Dignity and belonging",
    ]
    assert fw.dimensions[2].guide_name == "Being valued in community"


def test_step_titles_are_the_guides(defs):
    assert defs.steps[4].title == "Develop an Initial Understanding of Local Mobility Conditions"
    assert defs.steps[9].title == "Sustain Momentum"
    assert all(s.purpose and s.guidance and s.checklist for s in defs.steps)


def test_w5_1_reuses_w2_1_and_adds_its_own_questions(defs):
    w21, w51 = defs.worksheets["w2_1"], defs.worksheets["w5_1"]
    keys = [f.key for f in w51.fields]
    assert w51.extends == "w2_1"
    assert keys[0] == "sharing_notice"  # members see how answers are shared first
    assert keys[1 : len(w21.fields) + 1] == [f.key for f in w21.fields]
    inherited, base = w51.field("q1_strengths"), w21.field("q1_strengths")
    # The same question; it feeds no section of the plan from an individual worksheet.
    assert inherited == dataclasses.replace(base, feeds=())
    assert base.feeds == ("M4",)
    assert "q5b_group_discussion" in keys
    assert w51.filled_by.mode == "individual"


def test_w10_3_reuses_w6_8_with_new_wording(defs):
    w68, w103 = defs.worksheets["w6_8"], defs.worksheets["w10_3"]
    assert [f.key for f in w103.fields] == [f.key for f in w68.fields]
    assert w103.field("roles").label != w68.field("roles").label
    assert w103.field("structure") == w68.field("structure")


def test_readiness_assessment_has_the_nine_conditions_and_a_dont_know(defs):
    conditions = defs.worksheets["w3_1"].field("conditions")
    assert len(conditions.fixed_rows) == 9
    rating = conditions.column("rating")
    assert rating.type == "rating" and rating.dont_know
    assert [p.value for p in rating.scale] == [1, 2, 3, 4]


def test_shared_option_lists_are_resolved(defs):
    actor = defs.worksheets["w1_2"].field("actors").column("actor_type")
    assert [o.label for o in actor.options] == [a.name for a in defs.framework.actor_types]
    principles = defs.worksheets["w1_1"].field("principle_commitments")
    assert len(principles.options) == 6
    for w in defs.worksheets.values():
        for f in all_fields(w.fields):
            if f.type in ("choice", "multi_choice"):
                assert len(f.options) >= 2, (w.key, f.key)


def test_structure_is_regular(defs):
    for w in defs.worksheets.values():
        assert w.title and w.intro and w.fields, w.key
        assert w.filled_by.mode in ("coalition", "individual")
        for f in all_fields(w.fields):
            assert f.label, (w.key, f.key)
            if f.type == "table":
                assert f.columns and all(c.type not in NON_CELL_TYPES for c in f.columns)
                assert bool(f.fixed_rows) != bool(f.max_rows), (w.key, f.key)
            if f.type in ("long_text", "short_text"):
                assert f.max_length, (w.key, f.key)
            if f.links_to:
                assert f.links_to in defs.worksheets


def test_individual_worksheets_are_the_personal_reflections(defs):
    individual = sorted(k for k, w in defs.worksheets.items() if w.filled_by.mode == "individual")
    assert individual == ["w1_1", "w5_1"]


def test_prompts_are_not_the_spec_quotes(defs):
    """Names and titles stay the guide's; sentences the spec quotes must be in our own words."""
    # The spec's quotations, copied into the repo so the test is self-contained.
    spec = Path(__file__).resolve().parents[1] / "fixtures" / "plans" / "spec_quotes.txt"
    names = {n.lower() for s in defs.steps for n in (*s.sections, *(w.title for w in s.worksheets))}
    found = [line for line in spec.read_text().splitlines() if line and not line.startswith("#")]
    quotes = {q for q in found if q.lower() not in names}
    assert len(quotes) > 100  # the spec's quotations were found
    texts = []
    for step in defs.steps:
        texts += [step.purpose, step.guidance, *(i.label for i in step.checklist)]
        for w in step.worksheets:
            texts.append(w.intro)
            for f in all_fields(w.fields):
                texts += [f.label, f.help, f.text, f.placeholder]
                texts += [o.label for o in (*f.options, *f.items, *f.fixed_rows)]
    fw = defs.framework
    texts += [fw.racial_equity, *(d.description for d in fw.dimensions)]
    texts += [p.description for p in (*fw.pillars, *fw.principles)]
    texts += [a.role for a in fw.actor_types]
    texts += [m.contains for m in defs.map_sections]
    copied = [q for q in quotes if any(q.lower() in t.lower() for t in texts)]
    assert copied == []


def test_public_accessors_and_cache():
    definitions.reload()
    assert definitions.step(5).number == 5
    assert definitions.worksheet("w5_4").repeats == "Data source"
    assert len(definitions.worksheets()) == 47
    assert definitions.map_sections()[4].key == "M4"
    assert len(definitions.framework().predictors) == 24
    assert definitions.worksheets()[0] is definitions.worksheets()[0]
    with pytest.raises(KeyError, match="no worksheet 'w99_1'"):
        definitions.worksheet("w99_1")
    with pytest.raises(KeyError, match="no step 11"):
        definitions.step(11)


def test_every_role_the_app_relies_on_is_held_by_one_worksheet(defs):
    from plans.content import WORKSHEET_ROLES

    for role, needed in WORKSHEET_ROLES.items():
        holders = [w for w in defs.worksheets.values() if w.role == role]
        assert len(holders) == 1, role
        assert definitions.worksheet_by_role(role) == holders[0]
        assert {f.key for f in holders[0].fields} >= set(needed)
    # The measurement plan names the strategic actions it measures through a link.
    plan = definitions.worksheet_by_role("measures")
    assert definitions.worksheet(plan.field("strategic_action").links_to).repeats
    with pytest.raises(KeyError, match="no worksheet has the role 'nope'"):
        definitions.worksheet_by_role("nope")


def test_sharing_settings_list_their_choices_from_named_to_not_shared(defs):
    settings = [definitions.sharing_setting(w) for w in defs.worksheets.values()]
    settings = [s for s in settings if s]
    assert settings  # W5.1's, held by W5.2
    for sheet, setting in settings:
        assert sheet.filled_by.mode == "coalition"
        keys = [o.key for o in setting.options]
        # Only the first choice shows names; the services read "more private" as "further on".
        assert keys[0] == definitions.SHARED_WITH_NAMES
        assert keys[-1] == "not_shared"


# --- broken definitions --------------------------------------------------------------------

FRAMEWORK = {
    "dimensions": [{"key": "d1", "name": "D1", "guide_name": "D1", "description": "x"}],
    "racial_equity": "x",
    "pillars": [
        {
            "key": "p1",
            "name": "P1",
            "description": "x",
            "predictors": [{"key": "pr1", "name": "Pr1"}, {"key": "pr2", "name": "Pr2"}],
        }
    ],
    "principles": [{"key": "pp1", "name": "Pp1", "description": "x"}],
    "actor_types": [
        {"key": "a1", "name": "A1", "toolkit_name": "A1", "role": "x"},
        {"key": "a2", "name": "A2", "toolkit_name": "A2", "role": "x"},
    ],
}
OPTIONS = {"yes_no": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}
SECTIONS = [
    {"key": "M0", "title": "Cover", "provenance": "R", "contains": "x", "fed_by": ["w1_1"]},
    {"key": "M1", "title": "Summary", "provenance": "R", "contains": "x", "fed_by": []},
]


def worksheet_1(**changes):
    sheet = {
        "key": "w1_1",
        "number": "1.1",
        "title": "First",
        "provenance": "R",
        "filled_by": {"mode": "coalition", "roles": ["project_manager"]},
        "intro": "x",
        "feeds": ["M0"],
        "fields": [
            {"key": "name", "type": "short_text", "label": "Name"},
            {
                "key": "pick",
                "type": "choice",
                "label": "Pick",
                "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
            },
        ],
    }
    sheet.update(changes)
    return sheet


def step_1(**changes):
    step = {
        "number": 1,
        "title": "One",
        "provenance": "V-guide",
        "pages": "1",
        "purpose": "x",
        "guidance": "x",
        "sections": ["S"],
        "feeds": ["M0"],
        "worksheets": [worksheet_1()],
        "checklist": {"provenance": "R", "items": [{"key": "done", "label": "Done"}]},
    }
    step.update(changes)
    return step


def write(tmp_path, step=None, sections=None, extra_steps=(), framework=None):
    files = {
        "framework.yaml": framework or FRAMEWORK,
        "options.yaml": OPTIONS,
        "map_sections.yaml": sections or SECTIONS,
        "step01.yaml": step or step_1(),
    }
    for i, s in enumerate(extra_steps, 2):
        files[f"step{i:02}.yaml"] = s
    for name, content in files.items():
        (tmp_path / name).write_text(yaml.safe_dump(content, sort_keys=False))
    return tmp_path


def with_field(field, **sheet_changes):
    sheet = worksheet_1(**sheet_changes)
    sheet["fields"] = [*sheet["fields"], field]
    return step_1(worksheets=[sheet])


def test_the_minimal_fixture_is_valid(tmp_path):
    defs = load_definitions(write(tmp_path))
    assert defs.worksheets["w1_1"].field("pick").options[1].label == "B"


TABLE = {"key": "grid", "type": "table", "label": "Grid"}
BROKEN = {
    "unknown field type": (
        with_field({"key": "x", "type": "essay", "label": "X"}),
        "step01.yaml › w1_1 › x: unknown field type 'essay'",
    ),
    "duplicate field key": (
        with_field({"key": "name", "type": "date", "label": "Again"}),
        "step01.yaml › w1_1: duplicate field 'name'",
    ),
    "choice without options": (
        with_field({"key": "x", "type": "choice", "label": "X"}),
        "step01.yaml › w1_1 › x: a choice field needs 'options'",
    ),
    "choice with one option": (
        with_field({"key": "x", "type": "choice", "label": "X",
                    "options": [{"key": "a", "label": "A"}]}),
        "step01.yaml › w1_1 › x: a choice needs at least two options",
    ),
    "duplicate option key": (
        with_field({"key": "x", "type": "multi_choice", "label": "X",
                    "options": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}),
        "step01.yaml › w1_1 › x: duplicate option 'a'",
    ),
    "unknown shared list": (
        with_field({"key": "x", "type": "choice", "label": "X", "options_from": "colours"}),
        "step01.yaml › w1_1 › x: options_from 'colours' is not a known list",
    ),
    "table column that is a table": (
        with_field({**TABLE, "columns": [{**TABLE, "key": "inner", "columns": [
            {"key": "c", "type": "date", "label": "C"}]}]}),
        "step01.yaml › w1_1 › grid › inner: a table column cannot be of type 'table'",
    ),
    "table column that is a checklist": (
        with_field({**TABLE, "columns": [{"key": "c", "type": "checklist", "label": "C",
                                          "items": [{"key": "i", "label": "I"}]}]}),
        "step01.yaml › w1_1 › grid › c: a table column cannot be of type 'checklist'",
    ),
    "table without columns": (
        with_field(TABLE),
        "step01.yaml › w1_1 › grid: a table needs a non-empty list of 'columns'",
    ),
    "fixed rows and max rows together": (
        with_field({**TABLE, "fixed_rows": [{"key": "r", "label": "R"}], "row_header": "R",
                    "max_rows": 3, "columns": [{"key": "c", "type": "date", "label": "C"}]}),
        "step01.yaml › w1_1 › grid: a table with fixed_rows cannot also set max_rows",
    ),
    "checklist without items": (
        with_field({"key": "x", "type": "checklist", "label": "X"}),
        "step01.yaml › w1_1 › x: needs a non-empty list of items",
    ),
    "rating without scale": (
        with_field({"key": "x", "type": "rating", "label": "X"}),
        "step01.yaml › w1_1 › x: a rating needs a 'scale' of at least two points",
    ),
    "long text without markdown flag": (
        with_field({"key": "x", "type": "long_text", "label": "X"}),
        "step01.yaml › w1_1 › x: long_text needs 'markdown: true' or 'markdown: false'",
    ),
    "misspelt setting": (
        with_field({"key": "x", "type": "short_text", "label": "X", "max_lenght": 5}),
        "step01.yaml › w1_1 › x: unknown setting(s) max_lenght",
    ),
    "percent above 100": (
        with_field({"key": "x", "type": "percent", "label": "X", "max": 150}),
        "step01.yaml › w1_1 › x: a percent must stay between 0 and 100",
    ),
    "min above max": (
        with_field({"key": "x", "type": "number", "label": "X", "min": 5, "max": 1}),
        "step01.yaml › w1_1 › x: min 5 is greater than max 1",
    ),
    "missing label": (
        with_field({"key": "x", "type": "date"}),
        "step01.yaml › w1_1 › x: 'label' is missing",
    ),
    "bad field key": (
        with_field({"key": "Bad Key", "type": "date", "label": "X"}),
        "key 'Bad Key' is not a valid key",
    ),
    "unknown computed value": (
        with_field({"key": "x", "type": "guidance", "label": "X", "computed": "magic"}),
        "step01.yaml › w1_1 › x: unknown computed value 'magic'",
    ),
    "field feeding a missing MAP section": (
        with_field({"key": "x", "type": "date", "label": "X", "feeds": ["M9"]}),
        "step01.yaml › w1_1 › x: feeds MAP section 'M9', which does not exist",
    ),
    "worksheet feeding a missing MAP section": (
        step_1(worksheets=[worksheet_1(feeds=["M0", "M7"])], feeds=["M0", "M7"]),
        "step01.yaml › w1_1: feeds MAP section 'M7', which does not exist",
    ),
    "links to an unknown worksheet": (
        with_field({"key": "x", "type": "short_text", "label": "X", "links_to": "w4_4"}),
        "step01.yaml › w1_1 › x: links_to unknown worksheet 'w4_4'",
    ),
    "superseded by unknown records": (
        with_field({"key": "x", "type": "short_text", "label": "X", "superseded_by": "wishes"}),
        "step01.yaml › w1_1 › x: unknown superseded_by 'wishes' (known: early_wins)",
    ),
    "a superseded table column": (
        with_field(
            {
                "key": "x",
                "type": "table",
                "label": "X",
                "columns": [
                    {"key": "c", "type": "date", "label": "C", "superseded_by": "early_wins"}
                ],
            }
        ),
        "only a worksheet's answer can be superseded_by records",
    ),
    "extends an unknown worksheet": (
        step_1(worksheets=[worksheet_1(), worksheet_1(key="w1_2", number="1.2", extends="w2_1",
                                                      feeds=[], fields=[])]),
        "step01.yaml › w1_2: extends unknown worksheet 'w2_1'",
    ),
    "omits a field the base lacks": (
        step_1(worksheets=[worksheet_1(), worksheet_1(key="w1_2", number="1.2", extends="w1_1",
                                                      feeds=[], fields=[], omit=["nope"])]),
        "step01.yaml › w1_2: omits 'nope', which w1_1 does not have",
    ),
    "override with a non-text label": (
        step_1(worksheets=[worksheet_1(), worksheet_1(key="w1_2", number="1.2", extends="w1_1",
                                                      feeds=[], fields=[],
                                                      override={"name": {"label": 7}})]),
        "step01.yaml › w1_2: override of 'name' may only change label and help (text), required",
    ),
    "step number that does not match its file": (
        step_1(number=3),
        "step01.yaml: holds step 3; name the file step03.yaml",
    ),
    "step without worksheets": (
        step_1(worksheets=[]),
        "step01.yaml: a step needs at least one worksheet",
    ),
    "worksheet without fields": (
        step_1(worksheets=[worksheet_1(fields=[])]),
        "step01.yaml › w1_1: a worksheet needs at least one field",
    ),
    "unknown role": (
        step_1(worksheets=[worksheet_1(filled_by={"mode": "coalition", "roles": ["mayor"]})]),
        "step01.yaml › w1_1: unknown role 'mayor'",
    ),
    "unknown mode": (
        step_1(worksheets=[worksheet_1(filled_by={"mode": "everyone", "roles": ["member"]})]),
        "step01.yaml › w1_1: filled_by mode 'everyone' must be one of coalition, individual",
    ),
    "unknown provenance tag": (
        step_1(worksheets=[worksheet_1(provenance="guessed")]),
        "step01.yaml › w1_1: provenance 'guessed' is not a known tag",
    ),
    "worksheet key of another step": (
        step_1(worksheets=[worksheet_1(key="w2_1", number="2.1")]),
        "step01.yaml › w2_1: worksheet key belongs to step 2, not step 1",
    ),
    "worksheet feeds a section its step does not list": (
        step_1(feeds=["M1"]),
        "step01.yaml: w1_1 feeds ['M0'], which the step does not list",
    ),
    "step feeding a missing MAP section": (
        step_1(feeds=["M0", "M5"]),
        "step01.yaml: feeds MAP section 'M5', which does not exist",
    ),
    "field feeding a section its worksheet does not": (
        with_field({"key": "x", "type": "date", "label": "X", "feeds": ["M1"]}),
        "step01.yaml › w1_1 › x: feeds ['M1'], which its worksheet does not",
    ),
    "sharing setting on a coalition worksheet": (
        step_1(worksheets=[worksheet_1(filled_by={"mode": "coalition", "roles": ["member"],
                                                  "compiled_in": "w1_1"})]),
        "step01.yaml › w1_1: sharing_setting and compiled_in apply to individual worksheets only",
    ),
    "sharing setting that is not a choice": (
        step_1(worksheets=[worksheet_1(), worksheet_1(
            key="w1_2", number="1.2", feeds=[],
            filled_by={"mode": "individual", "roles": ["member"],
                       "sharing_setting": "w1_1.name"})]),
        "step01.yaml › w1_2: sharing_setting 'w1_1.name' must name a choice field",
    ),
    "checklist of a step without items": (
        step_1(checklist={"provenance": "R", "items": []}),
        "step01.yaml › checklist: needs a non-empty list of items",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_broken_definitions_are_reported_with_their_place(tmp_path, case):
    step, message = BROKEN[case]
    with pytest.raises(DefinitionError) as err:
        load_definitions(write(tmp_path, step=step))
    assert message in str(err.value)


def test_map_section_and_worksheet_must_agree(tmp_path):
    sections = copy.deepcopy(SECTIONS)
    sections[1]["fed_by"] = ["w1_1"]
    with pytest.raises(DefinitionError) as err:
        load_definitions(write(tmp_path, sections=sections))
    assert "map_sections.yaml › M1: lists w1_1 in fed_by, but w1_1 does not list M1" in str(
        err.value
    )

    sections = copy.deepcopy(SECTIONS)
    sections[0]["fed_by"] = []
    with pytest.raises(DefinitionError, match="feeds M0, but map_sections.yaml does not list"):
        load_definitions(write(tmp_path, sections=sections))


def test_map_sections_must_be_in_order(tmp_path):
    sections = [copy.deepcopy(SECTIONS[1]), copy.deepcopy(SECTIONS[0])]
    with pytest.raises(DefinitionError, match=r"M1: expected section M0 here"):
        load_definitions(write(tmp_path, sections=sections))


def test_duplicate_worksheet_keys_across_files(tmp_path):
    second = step_1(number=2, worksheets=[worksheet_1()])
    with pytest.raises(DefinitionError) as err:
        load_definitions(write(tmp_path, extra_steps=[second]))
    assert "duplicate worksheet key 'w1_1'" in str(err.value)


def test_worksheet_roles_are_known_unique_and_have_their_fields(tmp_path):
    with pytest.raises(DefinitionError, match=r"w1_1: unknown role 'boss'"):
        load_definitions(write(tmp_path, step=step_1(worksheets=[worksheet_1(role="boss")])))
    with pytest.raises(DefinitionError, match=r"w1_1: role 'vision' needs a field 'final'"):
        load_definitions(write(tmp_path, step=step_1(worksheets=[worksheet_1(role="vision")])))
    final = {"key": "final", "type": "short_text", "label": "Final"}
    first = worksheet_1(role="vision", fields=[final])
    second = worksheet_1(key="w1_2", number="1.2", role="vision", fields=[final])
    with pytest.raises(DefinitionError, match=r"role 'vision' is held by more than one"):
        load_definitions(write(tmp_path, step=step_1(worksheets=[first, second])))
    assert load_definitions(write(tmp_path, step=step_1(worksheets=[first]))).steps


def test_duplicate_predictor_in_framework(tmp_path):
    framework = copy.deepcopy(FRAMEWORK)
    framework["pillars"][0]["predictors"].append({"key": "pr1", "name": "Again"})
    with pytest.raises(DefinitionError, match="framework.yaml: duplicate predictor 'pr1'"):
        load_definitions(write(tmp_path, framework=framework))


def test_predictor_keys_are_slugs_shared_with_the_metrics_catalog(tmp_path, defs):
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", p.key) for p in defs.framework.predictors)
    framework = copy.deepcopy(FRAMEWORK)
    framework["pillars"][0]["predictors"][0]["key"] = "neonatal_health"
    with pytest.raises(DefinitionError, match="key 'neonatal_health' is not a valid key"):
        load_definitions(write(tmp_path, framework=framework))


def test_the_guides_framework_agrees_with_the_metrics_catalog(defs):
    assert framework_catalog_problems(defs.framework, catalog_load()) == []


def test_a_framework_that_drifts_from_the_catalog_is_caught(defs):
    fw, catalog = defs.framework, catalog_load()
    first, second = fw.pillars[0], fw.pillars[1]
    renamed = (dataclasses.replace(first.predictors[1], aliases=()), *first.predictors[2:])
    drifted = dataclasses.replace(
        fw,
        pillars=(
            dataclasses.replace(first, name="Good Work", predictors=renamed),
            dataclasses.replace(second, predictors=(*second.predictors, first.predictors[0])),
            *fw.pillars[2:],
        ),
    )
    problems = framework_catalog_problems(drifted, catalog)
    assert "pillar 'rewarding-work' is 'Good Work', the catalog 'Rewarding Work'" in problems
    assert any(p.startswith("pillar 'rewarding-work' has") for p in problems)
    assert any(p.startswith("pillar 'high-quality-education' has") for p in problems)
    assert any("'access-to-jobs-paying-a-living-wage': the catalog's name" in p for p in problems)
    reordered = dataclasses.replace(fw, pillars=fw.pillars[::-1])
    assert framework_catalog_problems(reordered, catalog)[0].startswith("pillars [")


def test_invalid_yaml_names_the_file(tmp_path):
    write(tmp_path)
    (tmp_path / "step01.yaml").write_text("number: 1\ntitle: [unclosed\n")
    with pytest.raises(DefinitionError, match=r"step01.yaml: is not valid YAML"):
        load_definitions(tmp_path)


def test_every_problem_is_reported_at_once(tmp_path):
    sheet = worksheet_1()
    sheet["fields"] += [
        {"key": "x", "type": "essay", "label": "X"},
        {"key": "y", "type": "choice", "label": "Y"},
    ]
    with pytest.raises(DefinitionError) as err:
        load_definitions(write(tmp_path, step=step_1(worksheets=[sheet])))
    assert len(err.value.problems) == 2


# --- validate_value ------------------------------------------------------------------------

F = definitions.Field
Opt = definitions.Option
YES_NO = (Opt("yes", "Yes"), Opt("no", "No"))


def check(field, value, **kw):
    return definitions.validate_value(field, value, **kw)


def ok(field, value, expected):
    clean, errors = check(field, value)
    assert errors == [], errors
    assert clean == expected


def bad(field, value, fragment):
    clean, errors = check(field, value)
    assert clean is None
    assert errors and fragment in " ".join(errors), errors


def test_empty_answers_are_allowed_until_required():
    field = F("name", "short_text", "Name", required=True, max_length=20)
    for empty in (None, "", "   "):
        assert check(field, empty) == (None, [])
    assert check(field, "", check_required=True) == (None, ["This answer is required."])
    assert check(F("x", "short_text", "X", max_length=5), "", check_required=True) == (None, [])


def test_text_limits_and_cleaning():
    long = F("t", "long_text", "T", max_length=20)
    ok(long, "  line one\r\nline two ", "line one\nline two")
    bad(long, "x" * 21, "21 characters long; the limit is 20")
    bad(long, 42, "Please enter text")
    short = F("s", "short_text", "S", max_length=200)
    ok(short, "two\n lines", "two lines")
    # Markup is kept as typed; it is escaped when shown.
    ok(short, "<script>alert(1)</script>", "<script>alert(1)</script>")
    ok(short, "bell\x07", "bell")


def test_numbers_and_percents():
    count = F("n", "number", "N", min=0, max=1000, integer=True)
    ok(count, "120", 120)
    ok(count, "1,000", 1000)
    bad(count, "1,5", "Please enter a number")  # a decimal comma is not silently read as 15
    ok(count, 7, 7)
    bad(count, 7.5, "whole number")
    bad(count, -1, "between 0 and 1000")
    bad(count, "many", "Please enter a number")
    bad(count, True, "Please enter a number")
    bad(F("n", "number", "N"), float("nan"), "Please enter a number")
    money = F("m", "number", "M", min=0)
    ok(money, "2500.50", 2500.5)
    bad(money, -3, "at least 0")
    share = F("p", "percent", "P", min=0, max=100)
    ok(share, "12.5%", 12.5)
    ok(share, 0, 0)
    bad(share, 101, "percentage between 0 and 100")


def test_dates_must_be_iso():
    when = F("d", "date", "D")
    ok(when, "2026-03-31", "2026-03-31")
    ok(when, dt.date(2026, 1, 2), "2026-01-02")
    bad(when, "31/03/2026", "year-month-day")
    bad(when, "2026-02-30", "not a real date")
    bad(when, 20260331, "year-month-day")


def test_urls_must_be_http_or_https():
    link = F("u", "url", "U")
    ok(link, "https://upward-mobility.urban.org/data", "https://upward-mobility.urban.org/data")
    ok(link, "http://example.org", "http://example.org")
    bad(link, "javascript:alert(1)", "http:// or https://")
    bad(link, "ftp://example.org/file", "http:// or https://")
    bad(link, "www.example.org", "http:// or https://")
    bad(link, "https://exa mple.org", "cannot contain spaces")
    bad(link, "https://", "no site name")
    bad(link, "http://localhost:8000/admin", "no site name")
    bad(link, "https://user:secret@example.org", "remove the user name or password")
    bad(link, "http://[::1", "could not be read")


def test_files_are_references_with_allowed_types():
    upload = F("f", "file", "F", accept=("pdf", "docx"))
    ok(upload, {"id": 9, "name": "Letter.PDF"}, {"id": 9, "name": "Letter.PDF"})
    bad(upload, {"id": 9, "name": "run.exe"}, "Allowed: .pdf, .docx")
    bad(upload, "letter.pdf", "Please upload a file")
    bad(upload, {"id": "", "name": "a.pdf"}, "could not be found")


def test_people_and_organisations():
    person = F("p", "person", "P")
    ok(person, 12, 12)
    ok(person, "12", 12)
    bad(person, 0, "member of the coalition")
    bad(person, "Ana", "member of the coalition")
    people = F("p", "person", "P", multiple=True)
    ok(people, [3, "4", 3], [3, 4])
    bad(people, 3, "choose from the list")
    org = F("o", "organisation", "O")
    ok(org, 5, 5)
    ok(org, "  Boone County   Library ", "Boone County Library")
    bad(org, "x" * 201, "at most 200 characters")
    bad(org, {"id": 1}, "choose or type an organisation")


def test_choices():
    pick = F("c", "choice", "C", options=YES_NO)
    ok(pick, "yes", "yes")
    bad(pick, "maybe", "'maybe' is not one of the choices")
    bad(pick, ["yes"], "not one of the choices")
    many = F("m", "multi_choice", "M", options=(*YES_NO, Opt("unsure", "Not sure")), max_selected=2)
    ok(many, ["unsure", "yes", "yes"], ["yes", "unsure"])  # definition order, no repeats
    ok(many, "no", ["no"])
    bad(many, ["yes", "perhaps"], "'perhaps' is not among the choices")
    bad(many, ["yes", "no", "unsure"], "at most 2")


def test_ratings_with_and_without_dont_know():
    scale = tuple(definitions.ScalePoint(i, str(i)) for i in range(1, 5))
    rating = F("r", "rating", "R", scale=scale, dont_know=True)
    ok(rating, 3, 3)
    ok(rating, "4", 4)
    ok(rating, "dont_know", "dont_know")
    bad(rating, 5, 'from 1 to 4 or "Don\'t know"')
    bad(rating, True, "from 1 to 4")
    strict = F("r", "rating", "R", scale=scale)
    bad(strict, "dont_know", "from 1 to 4.")


def test_checklists():
    items = (Opt("a", "Plain language"), Opt("b", "Alt text"))
    plain = F("c", "checklist", "C", items=items)
    ok(
        plain,
        {"a": True},
        {"a": {"checked": True, "note": ""}, "b": {"checked": False, "note": ""}},
    )
    bad(plain, {"z": True}, "'z' is not an item")
    bad(plain, {"a": "yes"}, "Plain language: please tick")
    bad(plain, {"a": {"checked": True, "note": "why"}}, "takes no notes")
    noted = F("c", "checklist", "C", items=items, note=True)
    ok(
        noted,
        {"b": {"checked": True, "note": " done "}},
        {"a": {"checked": False, "note": ""}, "b": {"checked": True, "note": "done"}},
    )
    bad(noted, ["a"], "tick the items")


def test_framework_references(defs):
    predictor = F("p", "predictor", "P")
    ok(predictor, "neonatal-health", "neonatal-health")
    bad(predictor, "happiness", "not one of the 24 predictors")
    bad(predictor, ["neonatal-health"], "not one of the 24 predictors")  # one, not a list
    pillars = F("p", "pillar", "P", multiple=True)
    ok(pillars, ["rewarding-work"], ["rewarding-work"])
    bad(pillars, ["rewarding-work", "sunshine"], "not one of the 5 pillars")
    metric = F("m", "metric", "M")
    ok(metric, "share_low_birth_weight", "share_low_birth_weight")
    bad(metric, "Low birth weight!", "choose a Mobility Metric")


def test_guidance_takes_no_answer():
    note = F("g", "guidance", "G", text="Read this.")
    assert check(note, None) == (None, [])
    bad(note, "typed anyway", "for reading only")


def test_tables_check_each_cell_and_the_row_limit(defs):
    table = defs.worksheets["w2_3"].field("peers")  # max 10 rows
    row = {"jurisdiction": "Columbia, MO", "reason_chosen": "neighbor", "notes": ""}
    clean, errors = check(table, [row, {"jurisdiction": "", "notes": None}])
    assert errors == []
    assert clean == [{"jurisdiction": "Columbia, MO", "reason_chosen": "neighbor", "notes": None}]
    bad(table, [row] * 11, "11 rows; the limit is 10")
    bad(table, [{**row, "reason_chosen": "weather"}], "Row 1, Why this place: 'weather'")
    bad(table, [{**row, "colour": "red"}], "Row 1: unknown column 'colour'")
    bad(table, {"jurisdiction": "x"}, "could not be read")


def test_fixed_row_tables_are_keyed_by_row(defs):
    table = defs.worksheets["w3_1"].field("conditions")
    clean, errors = check(
        table, {"data_skills": {"rating": "dont_know", "target_date": "2026-06-01"}}
    )
    assert errors == []
    assert list(clean) == [r.key for r in table.fixed_rows]
    assert clean["data_skills"]["rating"] == "dont_know"
    assert clean["leadership_commitment"]["rating"] is None
    bad(table, {"weather": {}}, "'weather' is not a row")
    bad(
        table,
        {"data_skills": {"target_date": "next spring"}},
        "Skills and capacity for gathering and analysing data, By when: Please enter the date",
    )


def test_every_real_field_accepts_empty_and_rejects_nonsense(defs):
    """Each field in the content can be validated; a wrong-shaped value never passes silently."""
    nonsense = (object(), [{"?": [1]}], {"?": {"?": 1}}, 3.5)
    for w in defs.worksheets.values():
        for f in all_fields(w.fields):
            assert check(f, None) == (None, []), (w.key, f.key)
            for value in nonsense:
                if f.type in ("number", "percent") and value == 3.5:
                    continue  # a fine number
                clean, errors = check(f, value)
                assert clean is None and errors, (w.key, f.key, value)
