"""Review and approval (Step 7.5), frozen versions, and release at a public page (Step 9)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import JobStatus
from plans.map import services
from plans.map.models import MapSectionDraft, MapVersion, PlanExport

pytestmark = pytest.mark.django_db


def _statuses(coalition) -> set[str]:
    return set(MapSectionDraft.objects.filter(coalition=coalition).values_list("status", flat=True))


def _approve(coalition, team):
    pm = team["project_manager"]
    reviewers = [(team["viewer"], "leadership"), (team["member"], "community")]
    review_round = services.review_round_start(actor=pm, reviewers=reviewers)
    for review in review_round.reviews.all():
        services.review_decide(
            review=review, actor=review.reviewer, decision="approved", comment=""
        )
    return review_round


def test_review_moves_sections_through_review_to_approval(coalition, team):
    pm = team["project_manager"]
    review_round = services.review_round_start(
        actor=pm,
        reviewers=[(team["viewer"], "leadership"), (team["member"], "community")],
    )
    assert _statuses(coalition) == {"in_review"}
    first, second = review_round.reviews.all()
    with pytest.raises(PermissionDenied):  # only the reviewer decides
        services.review_decide(review=first, actor=pm, decision="approved")
    with pytest.raises(ValidationError):  # changes need a comment
        services.review_decide(review=first, actor=first.reviewer, decision="approved_with_changes")
    services.review_decide(
        review=first,
        actor=first.reviewer,
        decision="approved_with_changes",
        comment="Fix a typo",
    )
    assert _statuses(coalition) == {"in_review"}
    services.review_decide(review=second, actor=second.reviewer, decision="approved")
    review_round.refresh_from_db()
    assert review_round.outcome == "approved" and _statuses(coalition) == {"approved"}


def test_a_request_to_revise_sends_the_plan_back_to_draft(coalition, team):
    pm = team["project_manager"]
    review_round = services.review_round_start(actor=pm, reviewers=[(team["member"], "coalition")])
    review = review_round.reviews.get()
    services.review_decide(
        review=review,
        actor=team["member"],
        decision="revise",
        comment="The measures need owners",
    )
    review_round.refresh_from_db()
    assert review_round.outcome == "revise" and _statuses(coalition) == {"draft"}
    with pytest.raises(ValidationError):
        services.review_decide(review=review, actor=team["member"], decision="approved")


def test_editing_an_approved_section_returns_it_to_draft(coalition, team):
    _approve(coalition, team)
    services.map_section_save(key="M5", actor=team["member"], narrative="New words")
    assert MapSectionDraft.objects.get(coalition=coalition, key="M5").status == "draft"


def test_only_the_reviewer_can_decide_on_the_page(client, coalition, team):
    pm = team["project_manager"]
    review = services.review_round_start(
        actor=pm, reviewers=[(team["viewer"], "leadership")]
    ).reviews.get()
    url = reverse("map:review_decide", args=[coalition.pk, review.pk])
    client.force_login(pm.user)
    assert client.post(url, {"decision": "approved"}).status_code == 403
    client.force_login(team["viewer"].user)
    assert client.post(url, {"decision": "approved"}).status_code == 302
    review.refresh_from_db()
    assert review.decision == "approved"


@pytest.mark.parametrize(
    "who,code", [("anonymous", 401), ("outsider", 404), ("member", 403), ("viewer", 200)]
)
def test_api_decision_only_by_the_reviewer(api_client, coalition, team, who, code):
    from tests.factories import UserFactory

    review = services.review_round_start(
        actor=team["project_manager"],
        reviewers=[(team["viewer"], "leadership")],
    ).reviews.get()
    if who == "outsider":
        api_client.force_login(UserFactory())
    elif who != "anonymous":
        api_client.force_login(team[who].user)
    url = reverse("api:map-review-decision", args=[coalition.pk, review.pk])
    assert api_client.post(url, {"decision": "approved"}, format="json").status_code == code


def test_a_frozen_version_does_not_change(coalition, team):
    pm = team["project_manager"]
    services.vision_save(actor=pm, statement="First vision")
    v1 = services.map_version_freeze(actor=pm, override_reason="Test")
    services.vision_save(actor=pm, statement="Second vision")
    v2 = services.map_version_freeze(actor=pm, override_reason="Test")
    v1.refresh_from_db()
    assert (v1.number, v2.number) == (1, 2)
    assert v1.document["vision"]["statement"] == "First vision"
    assert v2.document["vision"]["statement"] == "Second vision"
    assert not v1.approved


def test_compare_shows_what_changed_to_the_next_version(client, coalition, team):
    pm = team["project_manager"]
    services.map_section_save(key="M1", actor=pm, narrative="Old line")
    v1 = services.map_version_freeze(actor=pm, override_reason="Test")
    services.map_section_save(key="M1", actor=pm, narrative="New line")
    services.map_version_freeze(actor=pm, override_reason="Test")
    client.force_login(team["viewer"].user)
    page = client.get(reverse("map:version_compare", args=[coalition.pk, v1.pk])).content.decode()
    assert "From version 1 to version 2" in page
    assert "-Old line" in page and "+New line" in page


def _published(coalition, team) -> MapVersion:
    pm = team["project_manager"]
    services.vision_save(actor=pm, statement="Published vision")
    _approve(coalition, team)
    version = services.map_version_freeze(actor=pm, override_reason="Test")
    assert version.approved
    with pytest.raises(ValidationError, match="PDF"):
        services.map_version_publish(version=version, actor=pm)
    PlanExport.objects.create(coalition=coalition, version=version, status=JobStatus.SUCCEEDED)
    return services.map_version_publish(version=version, actor=pm)


def test_only_an_approved_version_can_be_published(coalition, team):
    pm = team["project_manager"]
    draft = services.map_version_freeze(actor=pm, override_reason="Test")
    PlanExport.objects.create(coalition=coalition, version=draft, status=JobStatus.SUCCEEDED)
    with pytest.raises(ValidationError, match="approval"):
        services.map_version_publish(version=draft, actor=pm)


def test_the_public_page_shows_only_the_published_version(client, coalition, team):
    pm = team["project_manager"]
    version = _published(coalition, team)
    services.vision_save(actor=pm, statement="Unpublished draft vision")
    later = services.map_version_freeze(actor=pm, override_reason="Test")
    url = reverse("map_public:plan", args=[version.public_token])
    page = client.get(url).content.decode()
    assert "Published vision" in page
    assert "Unpublished draft vision" not in page
    assert coalition.name in page
    # nothing else of the coalition: not the later version, not its pages, not its members
    assert client.get(reverse("map_public:plan", args=[later.public_token])).status_code == 404
    assert team["member"].user.email not in page
    for name in ("map:plan", "map:strategy", "coalitions:detail"):
        response = client.get(reverse(name, args=[coalition.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert f"/coalitions/{coalition.pk}/" not in page
    services.map_version_unpublish(version=version, actor=pm)
    assert client.get(url).status_code == 404


def test_the_public_pdf_is_the_published_versions(client, coalition, team):
    from django.core.files.base import ContentFile

    version = _published(coalition, team)
    export = version.exports.get()
    export.file.save("p.pdf", ContentFile(b"%PDF-1.7 published"), save=True)
    response = client.get(reverse("map_public:pdf", args=[version.public_token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 published"
    draft_export = PlanExport.objects.create(coalition=coalition, status=JobStatus.SUCCEEDED)
    draft_export.file.save("d.pdf", ContentFile(b"%PDF draft"), save=True)
    assert client.get(f"/media/{draft_export.file.name}").status_code == 404
