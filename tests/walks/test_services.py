"""Data walk services: building, residents' answers and their safety, moderation, the plan."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from plans.selectors import shared_response
from walks import selectors, services
from walks.models import Answer, ContactDetail, Moderation, Participant
from walks.stations import station_data

pytestmark = pytest.mark.django_db


def _answer(walk, device="dev-1", text="The buses are late.", position=1, **kw):
    station = walk.stations.get(position=position)
    return services.answer_submit(
        station=station,
        device_id=device,
        address=kw.pop("address", "10.0.0.1"),
        language=kw.pop("language", "en"),
        texts={0: text},
        **kw,
    )


def test_only_a_data_lead_or_project_manager_builds_a_walk(team, coalition):
    for role in ("viewer", "member", "management_team"):
        with pytest.raises(PermissionDenied):
            services.data_walk_save(
                actor=team[role], fields={"title_en": "T", "use_en": "Used for the plan."}
            )
    walk = services.data_walk_save(
        actor=team["project_manager"], fields={"title_en": "T", "use_en": "Used for the plan."}
    )
    assert walk.status == "draft" and len(walk.token) >= 16


def test_a_walk_needs_a_title_and_a_plain_statement_of_use(lead, coalition):
    with pytest.raises(ValidationError) as exc:
        services.data_walk_save(actor=lead, fields={"title_en": "", "demographics": ["shoe_size"]})
    assert set(exc.value.error_dict) == {"title_en", "use_en", "demographics"}


def test_weak_years_are_left_out_and_an_all_weak_metric_is_refused(walk, lead, coalition):
    data = station_data(coalition, "walk_employed")
    assert [p["year"] for p in data.points] == [2018, 2021]
    assert data.weak_years == [2023]
    assert data.latest["year"] == 2021
    assert "2023" in data.weak_note()
    with pytest.raises(ValidationError) as exc:
        services.station_save(
            actor=lead, walk=walk, variable="walk_weak", caption_en="x", questions_en=["Why?"]
        )
    assert "Weak" in exc.value.error_dict["variable"][0].messages[0]
    assert walk.stations.count() == 2


def test_stations_are_ordered_and_moved(walk, lead):
    first, second = walk.stations.order_by("position")
    services.station_move(actor=lead, station=second, offset=-1)
    assert list(walk.stations.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_an_answer_is_held_for_moderation_and_a_reaction_is_counted_at_once(walk):
    made = _answer(walk, reaction="agree")
    assert [a.status for a in made] == [Moderation.PENDING, Moderation.APPROVED]
    participant = Participant.objects.get()
    assert participant.device_id == "dev-1"
    # No address is stored anywhere on the participant or the answers.
    assert "10.0.0.1" not in json.dumps(list(Participant.objects.values()), default=str)
    assert "10.0.0.1" not in json.dumps(list(Answer.objects.values()), default=str)


def test_bad_answers_store_nothing(walk):
    with pytest.raises(ValidationError):
        _answer(walk, text="x" * 1001)
    with pytest.raises(ValidationError):
        _answer(walk, text="Buy now https://spam.example and http://more.example")
    with pytest.raises(ValidationError):
        _answer(walk, reaction="love_it")
    assert not Answer.objects.exists() and not Participant.objects.exists()
    _answer(walk, text="Same words")
    with pytest.raises(ValidationError, match="already sent"):
        _answer(walk, text="Same words", position=2)
    assert Answer.objects.count() == 1


def test_a_closed_walk_takes_no_answers(walk, lead):
    services.data_walk_status_set(actor=lead, walk=walk, status="closed")
    with pytest.raises(ValidationError, match="closed"):
        _answer(walk)


@override_settings(THROTTLE_LIMITS={"walk-device": (5, 60), "walk-address": (8, 60)})
def test_rate_limits_per_device_and_per_address(walk):
    for i in range(5):
        _answer(walk, text=f"answer {i}")
    with pytest.raises(services.RateLimited):
        _answer(walk, text="one too many")
    # Another device behind the same address is stopped by the address limit.
    for i in range(3):
        _answer(walk, device="dev-2", text=f"other {i}")
    with pytest.raises(services.RateLimited):
        _answer(walk, device="dev-2", text="over the address limit")
    assert Answer.objects.count() == 8


def test_contact_details_are_kept_apart(walk):
    services.contact_save(walk=walk, device_id="dev-1", address="", text="ana@example.org")
    contact = ContactDetail.objects.get()
    assert contact.participant.device_id == "dev-1"
    assert not Answer.objects.exists()


def test_moderation_needs_the_data_lead(walk, team):
    answer = _answer(walk)[0]
    with pytest.raises(PermissionDenied):
        services.answer_moderate(actor=team["member"], answer=answer, status="approved")
    services.answer_moderate(actor=team["data_lead"], answer=answer, status="approved")
    answer.refresh_from_db()
    assert answer.status == Moderation.APPROVED


def test_tagging_and_quoting_need_an_approved_answer(walk, lead):
    answer = _answer(walk)[0]
    with pytest.raises(ValidationError):
        services.answer_tag(actor=lead, answer=answer, themes=["Transit"], is_quote=True)
    services.answer_moderate(actor=lead, answer=answer, status="approved")
    services.answer_tag(actor=lead, answer=answer, themes=["Transit", "transit"], is_quote=True)
    assert [t.name for t in answer.themes.all()] == ["Transit"] and answer.is_quote


def test_counts_below_five_people_are_suppressed(walk, lead, coalition):
    for i in range(6):
        services.participant_about_save(
            walk=walk,
            device_id=f"d{i}",
            address="",
            language="en",
            answers={"age_band": "25_34" if i < 5 else "65_plus"},
        )
        services.answer_submit(
            station=walk.stations.get(position=1),
            device_id=f"d{i}",
            address="",
            language="en",
            texts={},
            reaction="agree",
        )
    result = selectors.station_results(walk)[0]
    assert dict(result.reactions)["I agree"] == "6"
    ages = {row.label: row.total for row in result.groups["Age"]}
    assert ages == {"25 to 34": "5", "65 or older": "fewer than 5"}
    assert selectors.count_text(0) == "0"


def test_facilitated_reactions_are_marked_and_counted_by_group(walk, team):
    station = walk.stations.get(position=1)
    made = services.facilitated_record(
        actor=team["member"],
        station=station,
        counts={"agree": 7, "want_to_know_more": 2},
        quotes=["We need more buses at night."],
    )
    assert all(a.facilitated for a in made)
    assert [a.status for a in made] == ["approved", "approved", "pending"]
    result = selectors.station_results(walk)[0]
    assert dict(result.reactions) == {
        "I agree": "7",
        "Not my experience": "0",
        "I want to know more": "fewer than 5",
    }
    with pytest.raises(PermissionDenied):
        services.facilitated_record(
            actor=team["viewer"], station=station, counts={"agree": 1}, quotes=[]
        )


def test_send_to_plan_appends_to_the_worksheets_and_reaches_the_map(walk, lead, team, coalition):
    from plans.map.document import build_document
    from plans.services import worksheet_response_save

    # Members already wrote a finding: it must stay.
    worksheet_response_save(
        actor=team["project_manager"],
        worksheet_key="w6_3",
        data={"findings": [{"event": "Town hall", "theme": "Jobs", "quote": "Members' words"}]},
        base_version=0,
    )
    answers = [_answer(walk, device=f"r{i}", text=f"Night buses {i}")[0] for i in range(3)]
    for a in answers[:2]:
        services.answer_moderate(actor=lead, answer=a, status="approved")
    services.answer_moderate(actor=lead, answer=answers[2], status="rejected")
    services.answer_tag(actor=lead, answer=answers[0], themes=["Night transit"], is_quote=True)
    services.answer_tag(actor=lead, answer=answers[1], themes=["Night transit"])

    result = services.data_walk_send_to_plan(actor=lead, walk=walk)
    assert (result.residents, result.themes, result.quotes) == (2, 1, 1)

    w63 = shared_response(coalition, "w6_3").data
    assert w63["findings"][0]["quote"] == "Members' words"
    added = w63["findings"][1]
    assert (added["event"], added["theme"], added["quote"]) == (
        "Our neighbourhood in numbers",
        "Night transit",
        "Night buses 0",
    )
    assert w63["events"][0]["method"] == "data_walk" and w63["events"][0]["participants"] == 2
    insight = shared_response(coalition, "w5_2").data["insights"][0]
    assert insight["count_of_members"] == 2
    assert "Night transit" in insight["theme"]
    assert insight["representative_quote"] == "Night buses 0"

    doc = build_document(coalition)
    m4 = next(s for s in doc["sections"] if s["key"] == "M4")
    text = json.dumps(m4["blocks"], ensure_ascii=False)
    assert "Night buses 0" in text and "Night transit" in text
    assert "Night buses 2" not in json.dumps(doc, ensure_ascii=False)

    # Sending again adds nothing new.
    with pytest.raises(ValidationError, match="nothing new"):
        services.data_walk_send_to_plan(actor=lead, walk=walk)
    assert len(shared_response(coalition, "w6_3").data["findings"]) == 2


def test_a_station_from_the_coalitions_local_data(walk, lead, coalition):
    from metrics.models import LocalDataset, LocalValue, Predictor
    from walks.stations import local_choices, local_source

    dataset = LocalDataset.objects.create(
        coalition=coalition,
        predictor=Predictor.objects.first(),
        name="Rent burden",
        unit="share",
        original_name="rent.csv",
        status="succeeded",
    )
    for year, value in ((2021, 0.31), (2023, 0.36)):
        LocalValue.objects.create(dataset=dataset, area="Eastside", year=year, value=value)
    source = local_source(dataset.pk, "Eastside")
    assert (source, "Rent burden: Eastside") in local_choices(coalition)
    station = services.station_save(
        actor=lead, walk=walk, variable=source, caption_en="Rent here.", questions_en=["Why?"]
    )
    data = station_data(coalition, station.variable)
    assert data.label == "Rent burden: Eastside" and data.latest["value"] == 0.36
    assert "local data" in data.sureness()
    # Another coalition's dataset is not a source.
    from tests.factories import CoalitionFactory

    other = LocalDataset.objects.create(
        coalition=CoalitionFactory(),
        predictor=Predictor.objects.first(),
        name="Theirs",
        original_name="x.csv",
        status="succeeded",
    )
    LocalValue.objects.create(dataset=other, area="A", year=2022, value=1)
    with pytest.raises(ValidationError):
        services.station_save(
            actor=lead,
            walk=walk,
            variable=local_source(other.pk, "A"),
            caption_en="x",
            questions_en=["Why?"],
        )


def test_the_walks_residents_beside_the_population_of_w2_4(walk, lead, team, coalition):
    from plans.services import worksheet_response_save

    worksheet_response_save(
        actor=team["project_manager"],
        worksheet_key="w2_4",
        data={"pop_shares": {"hispanic": {"percent": 60}, "white_nh": {"percent": 30}}},
        base_version=0,
    )
    for i in range(7):
        device = f"p{i}"
        services.participant_about_save(
            walk=walk,
            device_id=device,
            address="",
            language="en",
            answers={"race_ethnicity": "hispanic" if i < 5 else "asian"},
        )
        services.answer_submit(
            station=walk.stations.first(),
            device_id=device,
            address="",
            language="en",
            texts={},
            reaction="agree",
        )
    rows = {r.label: (r.walk, r.population) for r in selectors.representation_rows(walk)}
    assert rows["Hispanic or Latino"] == ("71.4%", "60.0%")
    assert rows["Other races and ethnicities, non-Hispanic"] == ("fewer than 5", "—")
    assert rows["White, non-Hispanic"] == ("0", "30.0%")
