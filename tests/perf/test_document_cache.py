"""The draft plan is built once per change: pages reuse it, every change of what it reads
shows at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.map import document as doc_module
from plans.map import services
from plans.models import WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """How many times the pages built the document."""
    made = []
    real = doc_module.build_document

    def counting(*args, **kwargs):
        made.append(args[0].pk)
        return real(*args, **kwargs)

    monkeypatch.setattr(doc_module, "build_document", counting)
    return made


@pytest.fixture
def pm(db):
    return MembershipFactory(coalition=CoalitionFactory(), role="project_manager")


def _section(client, pm, key: str) -> str:
    client.force_login(pm.user)
    response = client.get(reverse("map:section", args=[pm.coalition.pk, key]))
    assert response.status_code == 200
    return response.content.decode()


def test_pages_reuse_the_document_until_something_it_reads_changes(client, pm, builds):
    services.vision_save(actor=pm, statement="Everyone thrives here.")
    assert "Everyone thrives here." in _section(client, pm, "M5")
    _section(client, pm, "M6")
    _section(client, pm, "M5")
    assert len(builds) == 1  # three pages, one build

    services.vision_save(actor=pm, statement="Every child thrives here.")
    assert "Every child thrives here." in _section(client, pm, "M5")
    assert len(builds) == 2


def test_another_coalitions_change_keeps_this_document(client, pm, builds):
    other = MembershipFactory(coalition=CoalitionFactory(), role="project_manager")
    _section(client, pm, "M5")
    services.vision_save(actor=other, statement="Elsewhere.")
    _section(client, pm, "M5")
    assert len(builds) == 1


def test_every_kind_of_input_shows_at_once(client, pm):
    coalition = pm.coalition
    _section(client, pm, "M8")
    services.strategic_action_save(
        actor=pm, fields={"title": "Living wage"}, elements={"input": "Case workers"}
    )
    assert "Case workers" in _section(client, pm, "M8")  # a logic element and its measure

    measure = coalition.measures.get()
    services.measure_save(measure=measure, actor=pm, fields={"measure": "Workers hired"})
    assert "Workers hired" in _section(client, pm, "M8")

    services.map_section_save(actor=pm, key="M8", narrative="We count what we do.")
    assert "We count what we do." in _section(client, pm, "M8")

    # A worksheet answer saved by any path (here the model itself, as an import would).
    response = WorksheetResponse.objects.create(coalition=coalition, worksheet_key="w7_2", data={})
    assert "Streets where children play." not in _section(client, pm, "M5")
    response.data = {"drafts": [{"text": "Streets where children play."}]}
    response.save()
    assert "Streets where children play." in _section(client, pm, "M5")

    # A member's new name, printed as the owner of a section.
    services.map_section_save(actor=pm, key="M5", narrative="Vision.", owner=pm)
    pm.user.name = "Renamed Person"
    pm.user.save()
    assert "Renamed Person" in _section(client, pm, "M5")


def test_deleting_a_row_shows_at_once(client, pm):
    area = services.priority_area_save(actor=pm, name="Housing first", pillar="rewarding-work")
    assert "Housing first" in _section(client, pm, "M7")
    area.delete()
    assert "Housing first" not in _section(client, pm, "M7")
