"""Strategy records: vision, priority areas, theories of change, the logic model and its plan."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from plans.map import services
from plans.map.models import Measure, TheoryOfChange
from plans.models import WorksheetResponse
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm():
    return MembershipFactory(role="project_manager")


def _action(pm, **elements):
    return services.strategic_action_save(
        actor=pm,
        fields={"title": "Living wage campaign", "action_types": ["policy"]},
        elements=elements,
    )


def test_theory_of_change_follows_the_toolkit_formula(pm):
    theory = services.theory_save(
        actor=pm,
        problem="the gap between wages and the cost of basic needs.",
        solution="We will campaign for a living wage",
        impact_medium="more jobs that pay a living wage",
        impact_long="healthier residents",
    )
    assert theory.final_statement == (
        "To address the gap between wages and the cost of basic needs, we will campaign for a "
        "living wage, which will lead to more jobs that pay a living wage and, in the long "
        "term, to healthier residents."
    )
    theory = services.theory_save(
        actor=pm,
        theory=theory,
        problem="p",
        solution="s",
        statement="Our own words.",
    )
    assert theory.final_statement == "Our own words."


def test_one_overall_theory_and_one_per_priority_area(pm):
    area = services.priority_area_save(
        actor=pm,
        name="Jobs",
        pillar="rewarding-work",
        predictors=["employment-opportunities"],
    )
    services.theory_save(actor=pm, problem="p", solution="s")
    services.theory_save(actor=pm, problem="p", solution="s", priority_area=area)
    with pytest.raises(ValidationError):
        services.theory_save(actor=pm, problem="p", solution="s")
    assert TheoryOfChange.objects.count() == 2


def test_priority_area_checks_pillar_and_predictors(pm):
    with pytest.raises(ValidationError, match="another pillar"):
        services.priority_area_save(
            actor=pm,
            name="Jobs",
            pillar="rewarding-work",
            predictors=["access-to-preschool"],
        )
    with pytest.raises(ValidationError):
        services.priority_area_save(actor=pm, name="X", pillar="nope")


def test_every_element_gets_a_measure_row(pm):
    action = _action(
        pm,
        input="Two staff\nCity funding",
        output="Ordinance drafted",
        outcome_short="Council votes",
        outcome_medium="More jobs pay",
        outcome_long="Health",
    )
    rows = Measure.objects.filter(coalition=pm.coalition)
    assert rows.count() == 6
    assert sorted(rows.values_list("element_text", flat=True)) == sorted(
        [
            "Two staff",
            "City funding",
            "Ordinance drafted",
            "Council votes",
            "More jobs pay",
            "Health",
        ]
    )
    assert all(m.action_title == action.title for m in rows)


def test_renaming_an_element_keeps_its_measure(pm):
    action = _action(pm, input="Two staff\nCity funding")
    funding = Measure.objects.get(element_text="City funding")
    services.measure_save(measure=funding, actor=pm, fields={"measure": "Dollars budgeted"})
    _action_again = services.strategic_action_save(
        actor=pm,
        action=action,
        fields={},
        elements={"input": "Two staff\nCity and county funding"},
    )
    funding.refresh_from_db()
    assert funding.element_text == "City and county funding"
    assert funding.measure == "Dollars budgeted"
    assert not funding.is_orphaned


def test_deleting_an_element_flags_its_measure(pm):
    action = _action(pm, input="Two staff\nCity funding")
    services.strategic_action_save(
        actor=pm,
        action=action,
        fields={},
        elements={"input": "City funding"},
    )
    staff = Measure.objects.get(element_text="Two staff")
    assert staff.is_orphaned and staff.element is None
    assert not Measure.objects.get(element_text="City funding").is_orphaned
    services.measure_dismiss(measure=staff, actor=pm)
    with pytest.raises(ValidationError):
        services.measure_dismiss(measure=Measure.objects.get(element_text="City funding"), actor=pm)


def test_deleting_an_action_flags_all_its_measures(pm):
    action = _action(pm, input="Staff", output="Report")
    services.strategic_action_delete(action=action, actor=pm)
    assert Measure.objects.count() == 2
    assert all(m.is_orphaned for m in Measure.objects.all())
    assert set(Measure.objects.values_list("action_title", flat=True)) == {action.title}


def test_measure_checks_choices_and_gap_targets(pm):
    _action(pm, outcome_long="Fewer families in poverty")
    m = Measure.objects.get()
    with pytest.raises(ValidationError):
        services.measure_save(measure=m, actor=pm, fields={"frequency": "hourly"})
    with pytest.raises(ValidationError):
        services.measure_save(measure=m, actor=pm, fields={"gap_reduction_percent": 50})
    m = services.measure_save(
        measure=m,
        actor=pm,
        fields={
            "gap_subgroup": "Black residents",
            "gap_reduction_percent": 50,
            "frequency": "annual",
            "disaggregation": ["race_ethnicity"],
        },
    )
    assert m.missing == ["measure", "owner", "source"]


def test_strategy_is_imported_from_the_worksheets(pm):
    c = pm.coalition
    WorksheetResponse.objects.create(
        coalition=c,
        worksheet_key="w7_2",
        version=1,
        data={"final": "Everyone thrives here.", "adopted_on": "2026-02-01"},
    )
    WorksheetResponse.objects.create(
        coalition=c,
        worksheet_key="w7_1",
        version=1,
        data={
            "priorities": [
                {
                    "pillar": "rewarding-work",
                    "predictor": "access-to-jobs-paying-a-living-wage",
                    "selected": "yes",
                },
                {"pillar": "high-quality-education", "selected": "no"},
            ]
        },
    )
    WorksheetResponse.objects.create(
        coalition=c,
        worksheet_key="w7_4",
        version=1,
        data={
            "records": [
                {
                    "strategic_action": "Pass a living wage ordinance",
                    "priority_predictor": "access-to-jobs-paying-a-living-wage",
                    "inputs": "Staff time\nLegal review",
                    "outcomes_long": "Higher incomes",
                }
            ]
        },
    )
    WorksheetResponse.objects.create(
        coalition=c,
        worksheet_key="w8_1",
        version=1,
        data={
            "records": [
                {
                    "strategic_action": "Pass a living wage ordinance",
                    "element_type": "input",
                    "measure": "Staff hours",
                    "frequency": "quarterly",
                    "responsible_org": "City HR",
                },
                {"strategic_action": "Another action", "element_type": "input", "measure": "x"},
            ]
        },
    )
    made = services.strategy_import_from_worksheets(actor=pm)
    assert made == {"vision": 1, "priorities": 1, "theories": 0, "actions": 1, "measures": 1}
    staff = c.measures.get(element_text="Staff time")
    assert (staff.measure, staff.frequency, staff.responsible) == (
        "Staff hours",
        "quarterly",
        "City HR",
    )
    assert c.map_vision.statement == "Everyone thrives here."
    action = c.strategic_actions.get()
    assert action.priority_area.name == "Jobs paying living wages"
    assert c.measures.count() == 3
    again = services.strategy_import_from_worksheets(actor=pm)
    assert again == {"vision": 0, "priorities": 0, "theories": 0, "actions": 0, "measures": 0}
