"""The plan's cover and front matter: settings, the logo check, partners who agreed to be named."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from coalitions.models import CoalitionEvent, EventKind
from plans.map import front, services
from plans.map.document import build_document
from plans.map.models import PlanSettings
from tests.map.helpers import png_bytes

pytestmark = pytest.mark.django_db


def _upload(data: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_settings_default_to_us_letter_and_the_sites_language(coalition):
    chosen = front.plan_settings(coalition)
    assert (chosen.page_size, chosen.plan_language, chosen.pk) == ("letter", "en", None)


@pytest.mark.parametrize(
    "fmt, content_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_a_real_image_is_kept_with_its_type_and_size(pm, fmt, content_type):
    saved = services.plan_settings_save(
        actor=pm,
        acknowledgements="Thanks to **everyone**.",
        page_size="a4",
        language="es",
        logo=_upload(png_bytes(300, 120, fmt), f"Our Logo.{fmt.lower()}"),
    )
    assert (saved.logo_type, saved.logo_width, saved.logo_height) == (content_type, 300, 120)
    assert saved.logo_name == f"Our Logo.{fmt.lower()}"
    # Stored under a generated name, not the uploaded one.
    assert "Our Logo" not in saved.logo.name and saved.logo.name.startswith("plan-logos/")
    assert (saved.page_size, saved.plan_language) == ("a4", "es")
    assert CoalitionEvent.objects.filter(kind=EventKind.PLAN_SETTINGS_CHANGED).count() == 1


@pytest.mark.parametrize(
    "data, says",
    [
        (b"%PDF-1.4 not an image at all", "not an image we can use"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image we can use"),
        (png_bytes(100, 100, "GIF"), "not an image we can use"),
        (png_bytes(100, 100)[:60], "not an image we can use"),  # cut short
        (png_bytes(10, 10), "10 × 10 pixels"),
        (png_bytes(7000, 40), "7000 × 40 pixels"),
        (b"\x89PNG" + b"0" * (2 * 1024 * 1024), "may be at most 2 MB"),
    ],
)
def test_a_bad_logo_is_refused_at_the_field_and_nothing_is_saved(pm, data, says):
    services.plan_settings_save(actor=pm, acknowledgements="Before", logo=_upload(png_bytes()))
    before = PlanSettings.objects.get(coalition=pm.coalition)
    with pytest.raises(ValidationError) as caught:
        services.plan_settings_save(
            actor=pm, acknowledgements="After", page_size="a4", logo=_upload(data)
        )
    assert says in " ".join(caught.value.message_dict["logo"])
    after = PlanSettings.objects.get(coalition=pm.coalition)
    assert (after.acknowledgements, after.page_size, after.logo.name) == (
        "Before",
        "letter",
        before.logo.name,
    )


def test_only_the_project_manager_changes_the_settings(team):
    with pytest.raises(PermissionDenied):
        services.plan_settings_save(actor=team["data_lead"], acknowledgements="x")
    with pytest.raises(ValidationError):
        services.plan_settings_save(actor=team["project_manager"], page_size="legal")


def test_the_cover_page_shows_the_logo_error_at_the_field(client, pm, pm_user):
    client.force_login(pm_user)
    url = reverse("map:cover", args=[pm.coalition.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Cover and front matter" in page.content.decode()
    response = client.post(
        url,
        {"logo": _upload(b"hello", "logo.png"), "acknowledgements": "Thanks", "page_size": "a4"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_logo_errors"' in html and "not an image we can use" in html
    assert not PlanSettings.objects.filter(coalition=pm.coalition).exists()
    response = client.post(
        url,
        {"logo": _upload(png_bytes()), "acknowledgements": "Thanks", "page_size": "a4"},
    )
    assert response.status_code == 302
    chosen = PlanSettings.objects.get(coalition=pm.coalition)
    assert (chosen.acknowledgements, chosen.page_size, chosen.logo_type) == (
        "Thanks",
        "a4",
        "image/png",
    )
    preview = client.get(reverse("map:cover_logo", args=[pm.coalition.pk]))
    assert preview["Content-Type"] == "image/png" and preview["Cache-Control"].startswith("private")


def test_the_plan_page_links_the_cover_page_for_the_project_manager(client, team):
    coalition = team["project_manager"].coalition
    client.force_login(team["project_manager"].user)
    assert (
        reverse("map:cover", args=[coalition.pk])
        in client.get(reverse("map:plan", args=[coalition.pk])).content.decode()
    )


# --- partners ------------------------------------------------------------------------------


def test_partners_are_only_the_organisations_that_agreed(team):
    team["viewer"].organisation = "Food Bank"
    team["data_lead"].organisation = "City Hall"
    team["member"].organisation = "food bank "  # the same organisation, a later member
    for m in (team["member"], team["data_lead"], team["viewer"]):
        m.save()
    coalition = team["member"].coalition
    assert front.partners(coalition) == []
    from coalitions.services import membership_listing_set

    membership_listing_set(actor_membership=team["member"], membership=team["member"], listed=True)
    membership_listing_set(actor_membership=team["viewer"], membership=team["viewer"], listed=True)
    assert front.partners(coalition) == ["Food Bank"]
    with pytest.raises(PermissionDenied):
        membership_listing_set(
            actor_membership=team["member"], membership=team["data_lead"], listed=True
        )
    membership_listing_set(
        actor_membership=team["project_manager"], membership=team["data_lead"], listed=True
    )
    assert front.partners(coalition) == ["City Hall", "Food Bank"]


def test_a_member_without_an_organisation_cannot_be_listed(team):
    from coalitions.services import membership_listing_set

    with pytest.raises(ValidationError) as caught:
        membership_listing_set(
            actor_membership=team["member"], membership=team["member"], listed=True
        )
    assert "listed_in_plan" in caught.value.message_dict


def test_members_consent_on_their_own_details_page(client, team):
    me = team["member"]
    client.force_login(me.user)
    url = reverse("coalitions:member_edit", args=[me.coalition.pk, me.pk])
    assert "List the organization among the partners" in client.get(url).content.decode()
    client.post(
        url, {"organisation": "Tenants United", "sector": "", "title": "", "listed_in_plan": "on"}
    )
    me.refresh_from_db()
    assert me.listed_in_plan and front.partners(me.coalition) == ["Tenants United"]


def test_the_project_manager_ticks_the_partner_list(client, team):
    pm = team["project_manager"]
    for key in ("member", "data_lead"):
        team[key].organisation = key.title()
        team[key].save()
    client.force_login(pm.user)
    client.post(
        reverse("map:cover_partners", args=[pm.coalition.pk]), {"listed": [team["member"].pk]}
    )
    assert front.partners(pm.coalition) == ["Member"]


def test_the_document_keeps_the_front_matter_and_prints_partners_once(team):
    pm = team["project_manager"]
    team["member"].organisation, team["member"].listed_in_plan = "Food Bank", True
    team["member"].save()
    services.plan_settings_save(actor=pm, acknowledgements="We thank the *residents*.")
    document = build_document(pm.coalition, audience="public")
    assert document["front"]["partners"] == ["Food Bank"]
    front_sections = [s for s in document["sections"] if front.is_front(s)]
    assert [s["key"] for s in front_sections] == ["M0"]
    texts = [b.get("text") for b in front_sections[0]["blocks"]]
    assert "Partners" in texts and "Acknowledgements" in texts
    lists = [b["items"] for b in front_sections[0]["blocks"] if b["type"] == "list"]
    assert ["Food Bank"] in lists


def test_the_document_is_built_in_the_plans_language(pm):
    services.plan_settings_save(actor=pm, language="es")
    document = build_document(pm.coalition)
    assert document["language"] == "es"
    with translation.override("es"):
        spanish = gettext("%(place)s Mobility Action Plan") % {"place": pm.coalition.geography.name}
    assert spanish != pm.coalition.geography.name + " Mobility Action Plan"
    assert document["title"] == spanish


# --- API -------------------------------------------------------------------------------------


def test_api_reads_and_changes_the_settings_with_a_logo(api_client, team):
    coalition = team["project_manager"].coalition
    url = reverse("api:map-plan-settings", kwargs={"coalition_pk": coalition.pk})
    api_client.force_login(team["viewer"].user)
    assert api_client.get(url).json()["page_size"] == "letter"
    assert api_client.put(url, {"page_size": "a4"}, format="json").status_code == 403
    api_client.force_login(team["project_manager"].user)
    bad = api_client.put(url, {"page_size": "a4", "logo": _upload(b"nope")}, format="multipart")
    assert bad.status_code == 400 and "logo" in bad.json()
    good = api_client.put(
        url,
        {"page_size": "a4", "acknowledgements": "Thanks", "logo": _upload(png_bytes())},
        format="multipart",
    )
    assert good.status_code == 200
    assert good.json()["has_logo"] and good.json()["logo_type"] == "image/png"
    assert good.json()["page_size"] == "a4" and "logo" not in good.json()


def test_api_partner_listing(api_client, team):
    coalition = team["member"].coalition
    team["member"].organisation = "Food Bank"
    team["member"].save()
    team["data_lead"].organisation = "Clinic"
    team["data_lead"].save()
    url = reverse("api:map-plan-partners", kwargs={"coalition_pk": coalition.pk})
    api_client.force_login(team["member"].user)
    assert api_client.post(url, {"listed": True}, format="json").json() == {
        "membership": team["member"].pk,
        "listed": True,
    }
    other = {"membership": team["data_lead"].pk, "listed": True}
    assert api_client.post(url, other, format="json").status_code == 403
    api_client.force_login(team["project_manager"].user)
    assert api_client.post(url, other, format="json").status_code == 200
    assert (
        api_client.post(url, {"membership": 999999, "listed": True}, format="json").status_code
        == 404
    )
    assert front.partners(coalition) == ["Clinic", "Food Bank"]
