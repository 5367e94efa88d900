"""A newly activated release updates every linked measure and goal, and says what changed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrics import models as m
from metrics import services as metric_services
from plans.models import Notification
from plans.tracking.models import ReleaseChange, ReleaseUpdate, TrackedValue, ValueSource
from plans.tracking.status import measure_statuses
from tests.factories import StaffFactory
from tests.tracking.conftest import TODAY, add_value, make_goal, make_measure

VARIABLE = "share_employed_tracking"


def _metric():
    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "RW"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "EO", "pillar": pillar}
    )[0]
    return m.Metric.objects.get_or_create(
        variable=VARIABLE,
        defaults={
            "label": "Employed",
            "unit": "share",
            "direction": "higher",
            "predictor": predictor,
        },
    )[0]


def _release(name, geography, rows):
    """A release with (year, value, quality, subgroup name) rows for one place."""
    metric = _metric()
    release = m.Release.objects.create(name=name)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    for year, value, quality, group in rows:
        subgroup = (
            m.Subgroup.objects.get_or_create(subgroup_type="race-ethnicity", name=group)[0]
            if group
            else everyone
        )
        m.Observation.objects.create(
            release=release,
            geography=geography,
            metric=metric,
            subgroup=subgroup,
            year=year,
            value=value,
            quality=quality,
        )
    return release


def _activate(release, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        metric_services.release_activate(actor=StaffFactory(), release=release)
    return ReleaseUpdate.objects.get(release=release)


def test_activating_a_release_brings_new_revised_and_requalified_values(
    team, coalition, django_capture_on_commit_callbacks
):
    geography = coalition.geography
    measure = make_measure(coalition, metric_variable=VARIABLE, gap_subgroup="Black")
    goal = make_goal(coalition, metric_variable=VARIABLE)
    add_value(measure, "2019", 0.33)  # typed by hand: a release never overwrites it
    first = _release(
        "2024", geography, [(2019, 0.5, 1, ""), (2021, 0.41, 1, ""), (2021, 0.3, 1, "Black")]
    )
    job = _activate(first, django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.error_report
    assert (job.values_added, job.values_revised, job.coalitions_changed) == (4, 0, 1)
    values = TrackedValue.objects.filter(measure=measure, source=ValueSource.METRICS)
    assert sorted(values.values_list("period", "subgroup", "value")) == [
        ("2021", "", 0.41),
        ("2021", "Black", 0.3),
    ]
    assert TrackedValue.objects.get(measure=measure, period="2019").value == 0.33
    assert TrackedValue.objects.filter(goal=goal).count() == 2  # 2019 and 2021, everyone

    second = _release(
        "2025",
        geography,
        [(2019, 0.5, 1, ""), (2021, 0.42, 1, ""), (2021, 0.3, 3, "Black"), (2023, 0.47, 1, "")],
    )
    job = _activate(second, django_capture_on_commit_callbacks)
    # 2023 new for both; 2021 revised for both, its Black value requalified
    assert (job.values_added, job.values_revised) == (2, 3)
    change = ReleaseChange.objects.filter(coalition=coalition, release=second).get()
    kinds = sorted((i["owner"], i["period"], i["subgroup"], i["change"]) for i in change.items)
    assert kinds == [
        ("goal", "2021", "", "revised"),
        ("goal", "2023", "", "new"),
        ("measure", "2021", "", "revised"),
        ("measure", "2021", "Black", "quality"),
        ("measure", "2023", "", "new"),
    ]
    notes = Notification.objects.filter(coalition=coalition, text__contains="2025")
    assert notes.count() == len(team)  # every member
    assert "changed 5 values" in notes.first().text
    assert measure_statuses(coalition, today=TODAY)[measure.pk].latest_value == 0.47


def test_dashboard_shows_what_changed_until_dismissed(
    client, team, coalition, django_capture_on_commit_callbacks
):
    measure = make_measure(coalition, metric_variable=VARIABLE)
    _activate(
        _release("2024", coalition.geography, [(2021, 0.41, 1, "")]),
        django_capture_on_commit_callbacks,
    )
    client.force_login(team["viewer"].user)
    page = client.get(reverse("coalitions:detail", args=[coalition.pk])).content.decode()
    assert "What changed with the Mobility Metrics release 2024" in page
    assert "41.0%" in page and str(measure) in page
    change = ReleaseChange.objects.get(coalition=coalition)
    client.post(reverse("tracking:change_dismiss", args=[coalition.pk, change.pk]))
    page = client.get(reverse("coalitions:detail", args=[coalition.pk])).content.decode()
    assert "What changed with the Mobility Metrics release" not in page


def test_a_coalition_without_linked_measures_gets_no_notice(
    team, coalition, django_capture_on_commit_callbacks
):
    make_measure(coalition)  # no metric
    job = _activate(
        _release("2024", coalition.geography, [(2021, 0.41, 1, "")]),
        django_capture_on_commit_callbacks,
    )
    assert job.coalitions_changed == 0
    assert not ReleaseChange.objects.exists() and not Notification.objects.exists()


@pytest.mark.parametrize("kind", ["measure", "goal"])
def test_linking_a_metric_fills_the_values_from_the_active_release(coalition, kind):
    release = _release("2024", coalition.geography, [(2020, 0.4, 1, ""), (2021, 0.41, 1, "")])
    m.Release.objects.filter(pk=release.pk).update(is_active=True)
    from plans.tracking.releases import owner_metric_sync

    owner = (make_measure if kind == "measure" else make_goal)(coalition, metric_variable=VARIABLE)
    assert owner_metric_sync(owner) == 2
    assert owner_metric_sync(owner) == 0


def test_the_coalitions_changed_forget_their_cached_plan_documents(
    team, coalition, django_capture_on_commit_callbacks
):
    from plans.map import document_cache

    make_measure(coalition, metric_variable=VARIABLE)
    release = _release("2024", coalition.geography, [(2021, 0.41, 1, "")])
    before = document_cache._generations(coalition.pk)
    _activate(release, django_capture_on_commit_callbacks)
    # The values are written without signals: the job forgets this coalition's documents.
    assert document_cache._generations(coalition.pk)[0] != before[0]


def test_many_coalitions_changed_at_once_forget_every_document(db):
    from plans.map import document_cache

    few = document_cache._generations(1)
    every = document_cache._generations(2)
    document_cache.plan_inputs_changed_many([1])
    assert document_cache._generations(1)[0] != few[0]
    assert document_cache._generations(2) == every
    document_cache.plan_inputs_changed_many(range(1, document_cache.MANY + 2))
    assert document_cache._generations(2)[1] != every[1]
