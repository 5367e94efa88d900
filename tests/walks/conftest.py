from __future__ import annotations

import pytest

from metrics import models as m
from tests.factories import CoalitionFactory, MembershipFactory

# (variable, label, unit, qualities by year): the last one has only Weak values.
METRICS = [
    ("walk_employed", "Adults who are employed", "share", {2018: 1, 2021: 1, 2023: 3}),
    ("walk_housing", "Housing affordability", "share", {2019: 2, 2022: 1}),
    ("walk_poverty", "Children in poverty", "share", {2019: 1, 2022: 2}),
    ("walk_debt", "Share with debt in collections", "share", {2019: 1, 2023: 1}),
    ("walk_transit", "Transit trips", "share", {2019: 1, 2022: 1}),
    ("walk_weak", "A very uncertain number", "share", {2019: 3, 2022: 3}),
]


def observe(coalition) -> list[str]:
    pillar = m.Pillar.objects.get_or_create(slug="rewarding-work", defaults={"name": "RW"})[0]
    predictor = m.Predictor.objects.get_or_create(
        slug="employment-opportunities", defaults={"name": "EO", "pillar": pillar}
    )[0]
    m.Release.objects.update(is_active=False)
    release = m.Release.objects.create(name="walk-release", is_active=True)
    everyone = m.Subgroup.objects.get_or_create(subgroup_type="all", name="All")[0]
    for variable, label, unit, years in METRICS:
        metric = m.Metric.objects.get_or_create(
            variable=variable,
            defaults={"label": label, "unit": unit, "direction": "higher", "predictor": predictor},
        )[0]
        for i, (year, quality) in enumerate(sorted(years.items())):
            m.Observation.objects.create(
                release=release,
                geography=coalition.geography,
                metric=metric,
                subgroup=everyone,
                year=year,
                value=0.4 + i * 0.05,
                quality=quality,
            )
    return [v for v, *_ in METRICS]


@pytest.fixture
def team(db):
    # The rate-limit counters live in the database cache: rolled back after each test.
    coalition = CoalitionFactory()
    return {
        role: MembershipFactory(coalition=coalition, role=role)
        for role in ("viewer", "member", "management_team", "data_lead", "project_manager")
    }


@pytest.fixture
def coalition(team):
    coalition = team["project_manager"].coalition
    observe(coalition)
    return coalition


@pytest.fixture
def lead(team):
    return team["data_lead"]


@pytest.fixture
def walk(coalition, lead):
    from walks import services

    walk = services.data_walk_save(
        actor=lead,
        fields={
            "title_en": "Our neighbourhood in numbers",
            "title_es": "Nuestro barrio en números",
            "use_en": "The coalition reads every answer and uses them to write its plan.",
            "use_es": "La coalición lee cada respuesta y las usa para escribir su plan.",
            "demographics": ["age_band", "race_ethnicity"],
        },
    )
    for variable in ("walk_employed", "walk_housing"):
        services.station_save(
            actor=lead,
            walk=walk,
            variable=variable,
            caption_en=f"What {variable} means here.",
            caption_es=f"Lo que {variable} significa aquí.",
            questions_en=["What surprises you?", "Does this match your experience?"],
            questions_es=["¿Qué le sorprende?", "¿Coincide esto con su experiencia?"],
        )
    services.data_walk_status_set(actor=lead, walk=walk, status="open")
    return walk
