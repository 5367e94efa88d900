"""Revision history that stays readable: one person's continuous saves are one revision, the
history is paged with compact diffs, recent activity groups repeated saves, and the pages
read the same number of rows however long the history is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Role
from plans import selectors, services
from plans.models import Comment, Revision, WorksheetResponse
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory
from tests.routes import Route

# Classified here, checked per role below (tests/test_routes.py reads this dict).
ROUTES: dict[str, Route] = {
    "plans:worksheet_revision": Route("coalition"),
    "api:worksheet-revision-detail": Route("coalition"),
}


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER, user__name="Pat"),
        "m1": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Ann Lee"),
        "m2": MembershipFactory(coalition=coalition, role=Role.MEMBER, user__name="Bo Diaz"),
        "viewer": MembershipFactory(coalition=coalition, role=Role.VIEWER, user__name="Vi"),
    }


def save(team, who, data, version, key="w5_7", **kw):
    return services.worksheet_response_save(
        worksheet_key=key, data=data, base_version=version, actor=team[who], **kw
    )


def revisions(team, key="w5_7"):
    response = selectors.shared_response(team["coalition"], key)
    return list(
        response.revisions.order_by("version").values_list(
            "first_version", "version", "saves", "author__name", "data"
        )
    )


# --- coalescing --------------------------------------------------------------------------------


def test_one_persons_continuous_saves_are_one_revision_with_the_latest_content(team):
    for v, text in enumerate(["A", "AB", "ABC"]):
        save(team, "m1", {"narrative": text}, v, editor="page1")
    assert revisions(team) == [(1, 3, 3, "Ann Lee", {"narrative": "ABC"})]
    # Another person's save starts a new revision; so does the first person's next one.
    save(team, "m2", {"narrative": "ABCD"}, 3)
    save(team, "m1", {"narrative": "ABCDE"}, 4)
    assert [r[:4] for r in revisions(team)] == [
        (1, 3, 3, "Ann Lee"),
        (4, 4, 1, "Bo Diaz"),
        (5, 5, 1, "Ann Lee"),
    ]


def test_the_window_is_counted_from_the_revisions_first_save(team, settings):
    save(team, "m1", {"narrative": "A"}, 0)
    Revision.objects.update(started_at=timezone.now() - dt.timedelta(minutes=11))
    save(team, "m1", {"narrative": "AB"}, 1)
    assert [r[:3] for r in revisions(team)] == [(1, 1, 1), (2, 2, 1)]
    settings.REVISION_COALESCE_MINUTES = 0  # the setting turns coalescing off
    save(team, "m1", {"narrative": "ABC"}, 2)
    assert len(revisions(team)) == 3


def test_a_conflict_keeps_what_it_was_about_in_its_own_revision(team):
    save(team, "m1", {"narrative": "Ann's text"}, 0, editor="ann")
    with pytest.raises(services.WorksheetConflict):
        save(team, "m2", {"narrative": "Bo's text"}, 0, editor="bo")
    # Ann keeps typing: a new revision, so version 1 (what Bo's conflict was about) stays.
    save(team, "m1", {"narrative": "Ann's text, more"}, 1, editor="ann")
    save(team, "m2", {"narrative": "Both"}, 2, note="Merged after a conflict")
    assert [(r[1], r[4]["narrative"]) for r in revisions(team)] == [
        (1, "Ann's text"),
        (2, "Ann's text, more"),
        (3, "Both"),
    ]


def test_a_pages_own_racing_saves_are_not_a_conflict_across_a_coalesced_revision(team):
    save(team, "m1", {"narrative": "A"}, 0, editor="page1")
    save(team, "m1", {"narrative": "AB"}, 1, editor="page1")
    # The Save button posts from version 1 while the autosave already made version 2.
    result = save(team, "m1", {"narrative": "ABC"}, 1, editor="page1")
    assert result.response.version == 3 and revisions(team)[0][:3] == (1, 3, 3)
    # Another page of the same person at version 1 has not seen versions 2 and 3.
    with pytest.raises(services.WorksheetConflict):
        save(team, "m1", {"narrative": "other tab"}, 1, editor="page2")


def test_notes_and_restores_start_their_own_revisions_and_restoring_still_works(team):
    save(team, "m1", {"narrative": "First"}, 0)
    save(team, "m2", {"narrative": "Second"}, 1)
    save(team, "m2", {"narrative": "Second, longer"}, 2)
    restored = services.worksheet_response_restore(
        actor=team["m2"], worksheet_key="w5_7", version=1
    )
    assert restored.data == {"narrative": "First"}
    save(team, "m2", {"narrative": "First, edited"}, restored.version)
    rows = revisions(team)
    assert [r[:3] for r in rows] == [(1, 1, 1), (2, 3, 2), (4, 4, 1), (5, 5, 1)]
    # A version coalesced away is not offered; the revision's own version is.
    with pytest.raises(services.ValidationError):
        services.worksheet_response_restore(actor=team["m2"], worksheet_key="w5_7", version=2)
    services.worksheet_response_restore(actor=team["m2"], worksheet_key="w5_7", version=3)
    assert selectors.shared_response(team["coalition"], "w5_7").data == {
        "narrative": "Second, longer"
    }


# --- compact diffs ---------------------------------------------------------------------------


def test_a_changed_table_cell_shows_its_row_and_column_by_their_labels(team, settings):
    settings.REVISION_COALESCE_MINUTES = 0
    seats = [
        {"seat": "District 1", "race_ethnicity": "hispanic"},
        {"seat": "District 2", "race_ethnicity": "white_nh"},
    ]
    save(team, "pm", {"body": "Council", "seats": seats, "pop_shares": {}}, 0, key="w2_4")
    changed = [dict(seats[0]), {**seats[1], "race_ethnicity": "black_nh"}]
    save(
        team,
        "pm",
        {"seats": changed, "pop_shares": {"hispanic": {"percent": 40}}},
        1,
        key="w2_4",
    )
    response = selectors.shared_response(team["coalition"], "w2_4")
    [latest, _first] = selectors.revision_history(response).items
    assert [(c.label, c.before, c.after) for c in latest.changes] == [
        (
            "Members of the body › Row 2 › Race or ethnicity (self-identified)",
            "White, non-Hispanic",
            "Black, non-Hispanic",
        ),
        (
            "Share of residents in each group (ACS) › Hispanic or Latino",
            "",
            "Share of residents (%): 40%",
        ),
    ]


def test_a_long_text_changed_in_one_place_shows_that_place():
    from plans import definitions

    ws = definitions.worksheet("w5_7")
    before = "Start. " + "words " * 200 + "the old part " + "more " * 200
    after = before.replace("the old part", "the new part")
    [change] = selectors.data_diff(ws, {"narrative": before}, {"narrative": after})
    assert "the old part" in change.before and "the new part" in change.after
    assert len(change.after) < 250 and change.after.startswith("…")
    assert "Start." not in change.after


# --- pages and API ---------------------------------------------------------------------------


def _many(team, n, comments=0, key="w5_7"):
    """A response with ``n`` revisions by two people and ``comments`` comments, made fast."""
    c = team["coalition"]
    response = WorksheetResponse.objects.create(
        coalition=c, worksheet_key=key, data={"narrative": f"Text {n}"}, version=n
    )
    now = timezone.now()
    Revision.objects.bulk_create(
        Revision(
            coalition=c,
            response=response,
            version=v,
            first_version=v,
            data={"narrative": f"Text {v}"},
            author=team["m1" if v % 2 else "m2"].user,
            created_at=now - dt.timedelta(minutes=n - v),
            started_at=now - dt.timedelta(minutes=n - v),
        )
        for v in range(1, n + 1)
    )
    Comment.objects.bulk_create(
        Comment(coalition=c, worksheet_key=key, author=team["m2"].user, body=f"Comment {i}")
        for i in range(comments)
    )
    return response


def test_history_is_paged_newest_first_with_a_page_per_revision(client, team):
    _many(team, 30)
    client.force_login(team["viewer"].user)
    url = reverse("plans:worksheet_history", args=[team["coalition"].pk, "w5_7"])
    first = client.get(url).content.decode()
    assert first.count('class="card revision"') == 25
    assert "Version 30" in first and "Version 6<" in first and "Version 5<" not in first
    assert "Page 1 of 2" in first and "Older versions" in first
    last = client.get(url + "?page=2").content.decode()
    assert last.count('class="card revision"') == 5 and "Version 1<" in last
    assert "Text 1" in last  # the first version's diff, from nothing
    assert client.get(url + "?page=oops").content.decode().count("Version 30") == 1
    one = reverse("plans:worksheet_revision", args=[team["coalition"].pk, "w5_7", 12])
    page = client.get(one).content.decode()
    assert "Worksheet 5.7 as of version 12" in page and "Text 12" in page and "Text 11" in page
    assert "Restore version" not in page  # a viewer
    missing = reverse("plans:worksheet_revision", args=[team["coalition"].pk, "w5_7", 99])
    assert client.get(missing).status_code == 404


def test_the_api_pages_revisions_and_gives_one_with_its_answers(api_client, team):
    _many(team, 30)
    api_client.force_authenticate(team["viewer"].user)
    base = f"/api/coalitions/{team['coalition'].pk}/worksheets/w5_7/revisions/"
    page = api_client.get(base).json()
    assert page["count"] == 30 and len(page["results"]) == 25 and page["next"]
    newest = page["results"][0]
    assert newest["version"] == 30 and "data" not in newest
    assert (
        newest["changes"][0]["before"] == "Text 29" and newest["changes"][0]["after"] == "Text 30"
    )
    older = api_client.get(page["next"]).json()["results"]
    assert [r["version"] for r in older] == [5, 4, 3, 2, 1] and older[-1]["changes"][0][
        "before"
    ] == ""
    one = api_client.get(base + "7/").json()
    assert one["data"] == {"narrative": "Text 7"} and one["changes"][0]["before"] == "Text 6"
    assert api_client.get(base + "99/").status_code == 404


@pytest.mark.parametrize("principal", ["anonymous", "outsider", "viewer"])
def test_the_revision_page_and_endpoint_follow_the_access_rules(
    client, api_client, team, principal
):
    _many(team, 2)
    if principal == "outsider":
        client.force_login(UserFactory())
        api_client.force_authenticate(UserFactory())
    elif principal == "viewer":
        client.force_login(team["viewer"].user)
        api_client.force_authenticate(team["viewer"].user)
    pk = team["coalition"].pk
    web = client.get(reverse("plans:worksheet_revision", args=[pk, "w5_7", 1]))
    api = api_client.get(
        reverse(
            "api:worksheet-revision-detail",
            kwargs={"coalition_pk": pk, "key": "w5_7", "version": 1},
        )
    )
    expected = {"anonymous": (302, 401), "outsider": (404, 404), "viewer": (200, 200)}
    assert (web.status_code, api.status_code) == expected[principal]


def test_an_individual_worksheets_revisions_are_only_the_members_own(client, team):
    own = WorksheetResponse.objects.create(
        coalition=team["coalition"], worksheet_key="w5_1", owner=team["m1"], version=1
    )
    Revision.objects.create(
        coalition=team["coalition"], response=own, version=1, first_version=1, data={}
    )
    url = reverse("plans:worksheet_revision", args=[team["coalition"].pk, "w5_1", 1])
    client.force_login(team["m1"].user)
    assert client.get(url).status_code == 200
    client.force_login(team["m2"].user)
    assert client.get(url).status_code == 404
    assert selectors.recent_activity(team["coalition"]) == []  # private answers stay private


# --- recent activity ---------------------------------------------------------------------------


def test_activity_groups_a_persons_repeated_saves_in_one_sentence(client, team, settings):
    settings.REVISION_COALESCE_MINUTES = 0
    for v in range(5):
        save(team, "m1", {"narrative": f"v{v}"}, v)
    services.comment_create(actor=team["m2"], worksheet_key="w5_7", body="Nice")
    services.comment_create(actor=team["m2"], worksheet_key="w5_7", body="Really")
    save(team, "m2", {"narrative": "Bo"}, 5)
    lines = selectors.recent_activity(team["coalition"])
    assert [(a.kind, a.who.name, a.count) for a in lines] == [
        ("saved", "Bo Diaz", 1),
        ("commented", "Bo Diaz", 2),
        ("saved", "Ann Lee", 5),
    ]
    client.force_login(team["viewer"].user)
    page = client.get(reverse("plans:steps", args=[team["coalition"].pk])).content.decode()
    assert "Ann Lee saved <a" in page and "(5 times)" in page
    assert "Bo Diaz commented on <a" in page and "(2 times)" in page


def test_activity_counts_the_saves_a_coalesced_revision_holds(team):
    for v in range(3):
        save(team, "m1", {"narrative": f"v{v}"}, v)
    [line] = selectors.recent_activity(team["coalition"])
    assert line.count == 3 and line.worksheet.key == "w5_7"


# --- reads that do not grow with the history ---------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm caches that are filled once per process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), len(response.content)


@pytest.mark.parametrize(
    ("name", "api"),
    [
        ("plans:worksheet_history", False),
        ("plans:worksheet", False),
        ("plans:steps", False),
        ("api:worksheet-revisions", True),
    ],
)
def test_pages_read_the_same_rows_with_ten_times_the_history(db, client, name, api):
    sizes, counts = [], []
    for n in (30, 300):
        c = CoalitionFactory()
        team = {
            "coalition": c,
            "m1": MembershipFactory(coalition=c, role=Role.MEMBER),
            "m2": MembershipFactory(coalition=c, role=Role.MEMBER),
        }
        _many(team, n, comments=n // 10)
        client.force_login(team["m1"].user)
        if api:
            url = reverse(name, kwargs={"coalition_pk": c.pk, "key": "w5_7"})
        elif name == "plans:steps":
            url = reverse(name, args=[c.pk])
        else:
            url = reverse(name, args=[c.pk, "w5_7"])
        count, size = _queries(client, url)
        counts.append(count)
        sizes.append(size)
    assert counts[0] == counts[1] and counts[1] <= 15, counts
    if name in ("plans:worksheet_history", "api:worksheet-revisions"):
        assert sizes[1] <= 1.2 * sizes[0], sizes


def test_a_workspace_export_keeps_what_each_revision_holds(team):
    from plans import transfer

    for v, text in enumerate(["A", "AB"]):
        save(team, "pm", {"narrative": text}, v)
    exported = transfer.workspace_export(actor=team["pm"])
    target = CoalitionFactory()
    pm = MembershipFactory(coalition=target, role=Role.PROJECT_MANAGER, user=team["pm"].user)
    transfer.workspace_import(actor=pm, payload=exported)
    [rev] = Revision.objects.filter(coalition=target)
    assert (rev.first_version, rev.version, rev.saves) == (1, 2, 2)
    assert rev.response.coalition == target


def test_a_conflict_against_a_coalesced_version_asks_instead_of_overwriting(client, team):
    save(team, "m1", {"narrative": "Ann's first"}, 0)
    # Bo's page opened at version 1; Ann's next save continues her revision (1 to 2).
    save(team, "m1", {"narrative": "Ann's second"}, 1)
    client.force_login(team["m2"].user)
    stale = client.post(
        reverse("plans:worksheet_autosave", args=[team["coalition"].pk, "w5_7"]),
        {"version": 1, "narrative": "Bo's", "consensus": ""},
    ).content.decode()
    assert "someone else saved this worksheet" in stale
    # Version 1 is gone into Ann's revision, so there is no common start: Bo is asked.
    screen = client.get(reverse("plans:worksheet_conflict", args=[team["coalition"].pk, "w5_7"]))
    text = screen.content.decode()
    assert "Ann&#x27;s second" in text and "Bo&#x27;s" in text
    assert selectors.shared_response(team["coalition"], "w5_7").data == {
        "narrative": "Ann's second"
    }
    # Ann's revision is closed: her next save starts a new one, so "Ann's second" stays.
    save(team, "m1", {"narrative": "Ann's third"}, 2)
    assert [r[4]["narrative"] for r in revisions(team)] == ["Ann's second", "Ann's third"]
