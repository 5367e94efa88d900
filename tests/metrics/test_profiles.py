"""Profile, metric, disparity and peer pages, read as a coalition member would."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from coalitions.models import Role
from metrics.models import CoalitionPeer, Geography, Metric, MetricNote, Release
from metrics.profiles import selectors, services
from metrics.profiles.digest import release_digests_build, weighted_median
from metrics.profiles.peers import suggest_peers
from tests.factories import CoalitionFactory, MembershipFactory
from tests.metrics.test_import import fixture, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(db):
    for name in (
        "county_2025_sample.csv",
        "county_medians_2025.csv",
        "city_2025_sample.csv",
        "city_race_ethnicity_2025_sample.csv",
        "city_race_share_2025_sample.csv",
    ):
        job = run_import(fixture(name), name=name)
        assert job.status == "succeeded", (name, job.message)
    release = Release.objects.get(name="2025")
    release.is_active = True
    release.save()
    release_digests_build(release=release)
    return release


def member_client(client, fips: str, role=Role.MEMBER):
    geography = Geography.objects.get(fips=fips)
    membership = MembershipFactory(coalition=CoalitionFactory(geography=geography), role=role)
    client.force_login(membership.user)
    return membership.coalition


def test_weighted_median():
    assert weighted_median([(1, 1), (2, 1), (3, 10)]) == 3
    assert weighted_median([(1, 5), (2, 1), (3, 1)]) == 1
    assert weighted_median([]) is None


def test_profile_of_a_real_county(client, loaded):
    coalition = member_client(client, "35013")  # Doña Ana County
    page = client.get(reverse("profiles:profile", args=[coalition.pk])).content.decode()
    assert "Mobility Metrics for Doña Ana County, New Mexico" in page
    for pillar in ("Rewarding Work", "High-Quality Education", "Responsive &amp; Just Governance"):
        assert pillar in page
    assert "Household income at the 50th percentile" in page or "pctl_income_50" in page
    assert "National median" in page
    assert "Higher is better." in page


def test_weak_values_are_hidden_until_asked(client, loaded):
    coalition = member_client(client, "02261")  # Valdez-Cordova: Weak homelessness in 2014
    url = reverse("profiles:profile", args=[coalition.pk])
    hidden = client.get(url).content.decode()
    assert "Weak value hidden" in hidden
    assert "Show Weak values" in hidden
    shown = client.get(url, {"weak": "1"}).content.decode()
    assert "Weak values are shown." in shown
    assert "should not act on them" in shown


def test_metric_page_has_chart_summary_table_and_subgroups(client, loaded):
    coalition = member_client(client, "0103076")  # Auburn city, AL
    page = client.get(
        reverse("profiles:metric", args=[coalition.pk, "pctl_income_20"]), {"weak": "1"}
    ).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "The numbers behind the chart" in page
    assert "Race and ethnicity" in page
    assert "may not be real" in page


def test_metric_without_breakdown_says_so(client, loaded):
    coalition = member_client(client, "0103076")
    page = client.get(
        reverse("profiles:metric", args=[coalition.pk, "share_election_turnout"])
    ).content.decode()
    assert "not disaggregated" in page


def test_notes_pin_and_list(client, loaded):
    coalition = member_client(client, "35013")
    url = reverse("profiles:metric", args=[coalition.pk, "share_employed"])
    response = client.post(url, {"text": "Employment <b>dips</b> for young adults", "step": 5})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Employment &lt;b&gt;dips&lt;/b&gt; for young adults" in page
    assert MetricNote.objects.get().step == 5
    assert client.post(url, {"text": "", "step": 2}).status_code == 200
    assert MetricNote.objects.count() == 1


def test_viewer_cannot_pin_notes(client, loaded):
    coalition = member_client(client, "35013", role=Role.VIEWER)
    url = reverse("profiles:metric", args=[coalition.pk, "share_employed"])
    assert client.post(url, {"text": "x", "step": 2}).status_code == 403


def test_peers_suggested_with_reasons_and_chosen(client, loaded):
    coalition = member_client(client, "0103076")
    home = coalition.geography
    suggestions = suggest_peers(home, loaded)
    assert suggestions, "the city sample should give suggestions"
    assert all(s.geography.kind == "city" and s.geography != home for s in suggestions)
    assert suggestions[0].reason.startswith("Similar: about")
    peer = suggestions[0].geography
    response = client.post(
        reverse("profiles:peer_add", args=[coalition.pk]), {"geography": peer.pk}
    )
    assert response.status_code == 302
    assert CoalitionPeer.objects.filter(coalition=coalition, geography=peer).exists()
    page = client.get(reverse("profiles:peers", args=[coalition.pk])).content.decode()
    assert "Every metric" in page and peer.name in page
    assert 'role="img"' in page


def test_peers_must_be_the_same_kind_and_at_most_five(client, loaded):
    coalition = member_client(client, "0103076")
    county = Geography.objects.get(fips="35013")
    response = client.post(
        reverse("profiles:peer_add", args=[coalition.pk]), {"geography": county.pk}, follow=True
    )
    assert "same kind" in response.content.decode()
    cities = Geography.objects.filter(kind="city").exclude(pk=coalition.geography_id)[:6]
    for city in cities:
        response = client.post(
            reverse("profiles:peer_add", args=[coalition.pk]), {"geography": city.pk}, follow=True
        )
    assert "at most 5" in response.content.decode()
    assert CoalitionPeer.objects.filter(coalition=coalition).count() == 5


def test_unknown_metric_is_404(client, loaded):
    coalition = member_client(client, "35013")
    assert client.get(reverse("profiles:metric", args=[coalition.pk, "nope"])).status_code == 404
    assert Metric.objects.filter(variable="pctl_income_20").exists()


def test_profile_api(api_client, loaded):
    coalition = member_client(api_client, "35013")
    rows = api_client.get(reverse("api:profile", kwargs={"coalition_pk": coalition.pk})).json()
    income = next(r for r in rows if r["variable"] == "pctl_income_50")
    assert income["pillar"] == "Rewarding Work" and income["direction"] == "higher"
    assert income["latest"]["year"] >= 2021 and income["national_median"] is not None
    series = api_client.get(
        reverse(
            "api:profile-metric",
            kwargs={"coalition_pk": coalition.pk, "variable": "pctl_income_50"},
        )
    ).json()
    assert series[0]["subgroup"] == "All" and len(series[0]["series"]) >= 5
    assert (
        api_client.get(
            reverse("api:profile-peers", kwargs={"coalition_pk": coalition.pk})
        ).status_code
        == 200
    )


def test_api_hides_weak_unless_asked(api_client, loaded):
    coalition = member_client(api_client, "02261")
    url = reverse("api:profile", kwargs={"coalition_pk": coalition.pk})
    hidden = [r for r in api_client.get(url).json() if r["weak_hidden"]]
    assert hidden and all(r["latest"] is None for r in hidden)
    shown = {r["variable"]: r for r in api_client.get(url, {"weak": "1"}).json()}
    assert all(shown[r["variable"]]["latest"]["quality"] == 3 for r in hidden)


def test_geography_endpoints(api_client, loaded, user):
    api_client.force_login(user)
    county = Geography.objects.get(fips="35013")
    assert (
        api_client.get(reverse("api:geography-profile", kwargs={"pk": county.pk})).status_code
        == 200
    )
    assert (
        api_client.get(reverse("api:geography-peers", kwargs={"pk": county.pk})).status_code == 200
    )


def test_authors_delete_their_own_notes_only(client, loaded):
    coalition = member_client(client, "35013")
    metric = Metric.objects.get(variable="share_employed")
    me = coalition.memberships.get().user
    other = MembershipFactory(coalition=coalition)
    mine = MetricNote.objects.create(coalition=coalition, metric=metric, author=me, text="x")
    theirs = MetricNote.objects.create(
        coalition=coalition, metric=metric, author=other.user, text="y"
    )
    assert (
        client.post(reverse("profiles:note_delete", args=[coalition.pk, mine.pk])).status_code
        == 302
    )
    assert (
        client.post(reverse("profiles:note_delete", args=[coalition.pk, theirs.pk])).status_code
        == 403
    )
    assert list(MetricNote.objects.all()) == [theirs]


def test_an_overall_import_rebuilds_the_digest(db, django_capture_on_commit_callbacks):
    from metrics.models import ReleaseDigest

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(fixture("city_2025_sample.csv"), name="city_2025_sample.csv")
    assert job.status == "succeeded"
    digest = ReleaseDigest.objects.get(release__name="2025", kind="city")
    assert "0103076" in digest.features and digest.feature_names[0] == "log_population"


def test_local_data_appears_under_its_predictor(client, loaded):
    from metrics.models import LocalDataset, LocalValue, Predictor

    coalition = member_client(client, "35013")
    other = CoalitionFactory(geography=coalition.geography)
    predictor = Predictor.objects.get(slug="housing-affordability")
    for owner, name in ((coalition, "Rent burden, county survey"), (other, "Someone else's data")):
        dataset = LocalDataset.objects.create(
            coalition=owner,
            predictor=predictor,
            name=name,
            unit="%",
            original_name="x.csv",
            columns=["a"],
            status="succeeded",
        )
        LocalValue.objects.create(dataset=dataset, area="Doña Ana County", year=2022, value=48.5)
        LocalValue.objects.create(dataset=dataset, area="Las Cruces", year=2022, value=52.0)
    page = client.get(reverse("profiles:profile", args=[coalition.pk])).content.decode()
    assert "Your local data for this predictor" in page
    assert "Rent burden, county survey" in page and "48.5" in page
    assert "Someone else" not in page  # private to its coalition


def test_notes_feed_the_step_2_and_step_5_worksheets(client, loaded):
    coalition = member_client(client, "35013")
    metric = Metric.objects.get(variable="share_employed")
    author = coalition.memberships.get().user
    MetricNote.objects.create(
        coalition=coalition, metric=metric, author=author, step=2, text="Jobs dipped in 2020"
    )
    MetricNote.objects.create(
        coalition=coalition, metric=metric, author=author, step=5, text="Ask the workforce board"
    )
    step2 = client.get(reverse("plans:worksheet", args=[coalition.pk, "w2_2"])).content.decode()
    assert "Jobs dipped in 2020" in step2 and "Ask the workforce board" not in step2
    step5 = client.get(reverse("plans:worksheet", args=[coalition.pk, "w5_2"])).content.decode()
    assert "Ask the workforce board" in step5 and "Jobs dipped" not in step5
    step7 = client.get(reverse("plans:worksheet", args=[coalition.pk, "w7_2"])).content.decode()
    assert "pinned to the Mobility Metrics" not in step7


# --- the profile services check the role of the member who acts ------------------------------


def test_note_and_peer_services_refuse_a_viewer(loaded):
    coalition = CoalitionFactory(geography=Geography.objects.get(fips="35013"))
    viewer = MembershipFactory(coalition=coalition, role=Role.VIEWER)
    member = MembershipFactory(coalition=coalition, role=Role.MEMBER)
    metric = Metric.objects.get(variable="share_employed")
    place = Geography.objects.get(fips="35001")
    with pytest.raises(PermissionDenied):
        services.metric_note_add(actor=viewer, metric=metric, text="x")
    with pytest.raises(PermissionDenied):
        services.coalition_peer_add(actor=viewer, geography=place)
    peer = services.coalition_peer_add(actor=member, geography=place)
    with pytest.raises(PermissionDenied):
        services.coalition_peer_remove(actor=viewer, peer=peer)
    note = services.metric_note_add(actor=member, metric=metric, text=" mine ")
    assert (note.coalition, note.author, note.text) == (coalition, member.user, "mine")
    with pytest.raises(PermissionDenied):
        services.metric_note_delete(actor=viewer, note=note)


def test_the_project_manager_deletes_any_note_of_the_coalition_only(loaded):
    coalition = CoalitionFactory(geography=Geography.objects.get(fips="35013"))
    pm = MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER)
    member = MembershipFactory(coalition=coalition, role=Role.MEMBER)
    metric = Metric.objects.get(variable="share_employed")
    note = services.metric_note_add(actor=member, metric=metric, text="theirs")
    stranger = MembershipFactory(role=Role.PROJECT_MANAGER)
    with pytest.raises(ValidationError):
        services.metric_note_delete(actor=stranger, note=note)
    services.metric_note_delete(actor=pm, note=note)
    assert not MetricNote.objects.exists()


def test_peer_selectors_ignore_other_coalitions(loaded):
    home = Geography.objects.get(fips="35013")
    mine, theirs = CoalitionFactory(geography=home), CoalitionFactory(geography=home)
    place, elsewhere = Geography.objects.get(fips="35001"), Geography.objects.get(fips="35005")
    CoalitionPeer.objects.create(coalition=mine, geography=place)
    other_peer = CoalitionPeer.objects.create(coalition=theirs, geography=elsewhere)
    assert [p.geography for p in selectors.coalition_peers(mine)] == [place]
    places, readings, _ = selectors.peer_readings(
        mine, [*selectors.coalition_peers(mine), other_peer], loaded
    )
    assert places == [home, place] and set(readings) == {home.pk, place.pk}
