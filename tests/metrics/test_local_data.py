"""A coalition's local supplemental data: upload, column mapping, load, access."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalitions.models import ROLE_RANK, CoalitionEvent, EventKind, Role
from core.models import JobStatus
from metrics import local_data
from metrics.models import LocalDataset, LocalValue, Predictor
from metrics.parsing import number_parse
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory
from tests.routes import Route, coalition_routes

CSV = (
    b"Neighborhood,Year,Rate,Low,High,Group\n"
    b"Downtown,2022,0.31,0.28,0.34,All\n"
    b"Downtown,2023,0.29,,,All\n"
    b"Eastside,2023,0.4,0.35,0.45,Renters\n"
)
MAPPING = {
    "area": "Neighborhood",
    "year": "Year",
    "value": "Rate",
    "lb": "Low",
    "ub": "High",
    "subgroup": "Group",
}

# name: (method, minimum role, needs a dataset)
WEB = {
    "metrics:local_data_list": ("get", Role.VIEWER, False),
    "metrics:local_data_upload": ("post", Role.DATA_LEAD, False),
    "metrics:local_data_detail": ("get", Role.VIEWER, True),
    "metrics:local_data_progress": ("get", Role.VIEWER, True),
    "metrics:local_data_map": ("get", Role.DATA_LEAD, True),
    "metrics:local_data_retry": ("post", Role.DATA_LEAD, True),
    "metrics:local_data_delete": ("post", Role.DATA_LEAD, True),
}
API = {
    "api:local-dataset-list": ("get", Role.VIEWER, False),
    "api:local-dataset-detail": ("get", Role.VIEWER, True),
    "api:local-dataset-retry": ("post", Role.DATA_LEAD, True),
}
# Read by tests/test_routes.py: every route of this matrix is classified there.
ROUTES: dict[str, Route] = coalition_routes(*WEB, *API)
PRINCIPALS = ["anonymous", "outsider", *[r.value for r in Role]]


def csv_file(content: bytes = CSV, name: str = "local.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def world(db):
    coalition = CoalitionFactory()
    people = {role.value: MembershipFactory(coalition=coalition, role=role).user for role in Role}
    dataset = LocalDataset.objects.create(
        coalition=coalition,
        predictor=Predictor.objects.get(slug="housing-affordability"),
        name="Rent burden",
        original_name="x.csv",
        columns=["a"],
    )
    return {"coalition": coalition, "people": people, "dataset": dataset}


def _url(name: str, with_dataset: bool, world: dict) -> str:
    coalition = world["coalition"].pk
    if name.startswith("api:"):
        kwargs = {"coalition_pk": coalition}
        if with_dataset:
            kwargs["pk"] = world["dataset"].pk
    else:
        kwargs = {"pk": coalition}
        if with_dataset:
            kwargs["dataset_id"] = world["dataset"].pk
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("name", sorted([*WEB, *API]))
def test_access_matrix(client, world, name, principal):
    api = name.startswith("api:")
    method, minimum, with_dataset = (API if api else WEB)[name]
    if principal == "outsider":
        client.force_login(UserFactory())
    elif principal != "anonymous":
        client.force_login(world["people"][principal])
    code = getattr(client, method)(_url(name, with_dataset, world)).status_code
    if principal == "anonymous":
        assert code == (401 if api else 302), code
    elif principal == "outsider":
        assert code == 404
    elif ROLE_RANK[Role(principal)] < ROLE_RANK[minimum]:
        assert code == 403
    else:
        assert code in (200, 302, 400), code


def upload_and_map(client, world, capture, content: bytes = CSV, name: str = "local.csv"):
    coalition = world["coalition"]
    client.force_login(world["people"]["data_lead"])
    response = client.post(
        reverse("metrics:local_data_upload", args=[coalition.pk]),
        {
            "file": csv_file(content, name),
            "name": "Rent burden by neighborhood",
            "predictor": Predictor.objects.get(slug="housing-affordability").pk,
            "unit": "share",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dataset = LocalDataset.objects.exclude(pk=world["dataset"].pk).get()
    assert response["Location"] == reverse(
        "metrics:local_data_map", args=[coalition.pk, dataset.pk]
    )
    with capture(execute=True):
        mapped = client.post(response["Location"], MAPPING)
    assert mapped.status_code == 302
    dataset.refresh_from_db()
    return dataset


def test_data_lead_uploads_maps_and_loads_a_csv(client, world, django_capture_on_commit_callbacks):
    dataset = upload_and_map(client, world, django_capture_on_commit_callbacks)
    assert dataset.status == JobStatus.SUCCEEDED, dataset.message
    assert dataset.columns == ["Neighborhood", "Year", "Rate", "Low", "High", "Group"]
    values = {(v.area, v.year, v.subgroup): (v.value, v.lb, v.ub) for v in dataset.values.all()}
    assert values == {
        ("Downtown", 2022, "All"): (0.31, 0.28, 0.34),
        ("Downtown", 2023, "All"): (0.29, None, None),
        ("Eastside", 2023, "Renters"): (0.4, 0.35, 0.45),
    }
    client.force_login(world["people"]["viewer"])
    page = client.get(
        reverse("metrics:local_data_detail", args=[world["coalition"].pk, dataset.pk])
    ).content.decode()
    assert "Eastside" in page and "3 values loaded." in page
    assert "Delete this dataset" not in page  # viewers read only


def test_mapping_page_guesses_columns(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["people"]["project_manager"])
    client.post(
        reverse("metrics:local_data_upload", args=[world["coalition"].pk]),
        {
            "file": csv_file(b"area,year,value\nNorth,2020,1\n"),
            "name": "Parks",
            "predictor": Predictor.objects.get(slug="environmental-quality").pk,
        },
    )
    dataset = LocalDataset.objects.get(name="Parks")
    page = client.get(
        reverse("metrics:local_data_map", args=[world["coalition"].pk, dataset.pk])
    ).content.decode()
    assert '<option value="area" selected>' in page
    assert '<option value="value" selected>' in page


def test_excel_file_loads(client, world, django_capture_on_commit_callbacks):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (
        ["Neighborhood", "Year", "Rate", "Low", "High", "Group"],
        ["Downtown", 2022, 0.31, None, None, "All"],
    ):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = upload_and_map(
        client, world, django_capture_on_commit_callbacks, buffer.getvalue(), "local.xlsx"
    )
    assert dataset.status == JobStatus.SUCCEEDED, dataset.message
    assert list(dataset.values.values_list("area", "year", "value")) == [("Downtown", 2022, 0.31)]


@pytest.mark.parametrize(
    ("content", "row", "column", "words"),
    [
        (b"Neighborhood,Year,Rate,Low,High,Group\nA,2022,lots,,,All\n", 2, "Rate", "not a number"),
        (b"Neighborhood,Year,Rate,Low,High,Group\nA,20x2,1,,,All\n", 2, "Year", "not a number"),
        (
            b"Neighborhood,Year,Rate,Low,High,Group\n=cmd(),2022,1,,,All\n",
            2,
            "Neighborhood",
            "formula",
        ),
        (
            b"Neighborhood,Year,Rate,Low,High,Group\nA,2022,1,,,All\nA,2022,2,,,All\n",
            3,
            "Neighborhood",
            "same area",
        ),
        (b"Neighborhood,Year,Rate,Low,High,Group\n", 2, "", "no data rows"),
    ],
)
def test_bad_rows_fail_the_load_and_keep_the_old_values(
    client, world, django_capture_on_commit_callbacks, content, row, column, words
):
    dataset = upload_and_map(client, world, django_capture_on_commit_callbacks)
    before = sorted(LocalValue.objects.values_list("area", "year", "subgroup", "value"))
    dataset.file.save("again.csv", csv_file(content), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("metrics:local_data_map", args=[world["coalition"].pk, dataset.pk]), MAPPING
        )
    dataset.refresh_from_db()
    assert dataset.status == JobStatus.FAILED
    assert f"row {row}" in dataset.message and words in dataset.message.lower()
    if column:
        assert f"column {column}" in dataset.message
    assert sorted(LocalValue.objects.values_list("area", "year", "subgroup", "value")) == before


def test_mapping_must_name_real_columns(client, world):
    client.force_login(world["people"]["data_lead"])
    url = reverse("metrics:local_data_map", args=[world["coalition"].pk, world["dataset"].pk])
    response = client.post(url, {"area": "a", "year": "", "value": ""})
    assert response.status_code == 400
    assert not LocalDataset.objects.get(pk=world["dataset"].pk).mapped


def test_datasets_stay_private_to_their_coalition(api_client, world):
    other = CoalitionFactory()
    stranger = MembershipFactory(coalition=other, role=Role.PROJECT_MANAGER).user
    api_client.force_authenticate(stranger)
    url = reverse("api:local-dataset-list", kwargs={"coalition_pk": other.pk})
    assert api_client.get(url).json()["results"] == []
    # Another coalition's dataset id under one's own coalition is a 404, not a leak.
    detail = reverse(
        "api:local-dataset-detail", kwargs={"coalition_pk": other.pk, "pk": world["dataset"].pk}
    )
    assert api_client.get(detail).status_code == 404
    web = reverse("metrics:local_data_detail", args=[other.pk, world["dataset"].pk])
    api_client.force_login(stranger)
    assert api_client.get(web).status_code == 404


def test_api_upload_with_mapping_loads_at_once(
    api_client, world, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(world["people"]["data_lead"])
    url = reverse("api:local-dataset-list", kwargs={"coalition_pk": world["coalition"].pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            url,
            {
                "file": csv_file(),
                "name": "Rent burden",
                "predictor": "housing-affordability",
                **{f"{role}_column": column for role, column in MAPPING.items()},
            },
        )
    assert response.status_code == 201, response.json()
    detail = api_client.get(
        reverse(
            "api:local-dataset-detail",
            kwargs={"coalition_pk": world["coalition"].pk, "pk": response.json()["id"]},
        )
    ).json()
    assert detail["status"] == "succeeded" and len(detail["values"]) == 3
    api_client.force_authenticate(world["people"]["member"])
    assert api_client.post(url, {"file": csv_file(), "name": "x"}).status_code == 403


# --- the services check the role and leave a line in the coalition's activity ----------------


def _member(world, role: str):
    return world["coalition"].memberships.get(user=world["people"][role])


def test_services_refuse_a_role_below_data_lead(world):
    actor = _member(world, "management_team")
    with pytest.raises(PermissionDenied):
        local_data.local_dataset_upload(
            actor=actor,
            upload=csv_file(),
            name="Rent",
            predictor=Predictor.objects.get(slug="housing-affordability"),
        )
    with pytest.raises(PermissionDenied):
        local_data.local_dataset_map(actor=actor, dataset=world["dataset"], mapping=MAPPING)
    with pytest.raises(PermissionDenied):
        local_data.local_dataset_delete(actor=actor, dataset=world["dataset"])
    assert LocalDataset.objects.filter(pk=world["dataset"].pk).exists()


def test_services_refuse_another_coalitions_dataset(world):
    stranger = MembershipFactory(role=Role.PROJECT_MANAGER)
    with pytest.raises(ValidationError):
        local_data.local_dataset_delete(actor=stranger, dataset=world["dataset"])
    with pytest.raises(ValidationError):
        local_data.local_dataset_map(actor=stranger, dataset=world["dataset"], mapping=MAPPING)
    assert LocalDataset.objects.filter(pk=world["dataset"].pk).exists()


def test_upload_belongs_to_the_actors_coalition(world):
    actor = _member(world, "data_lead")
    dataset = local_data.local_dataset_upload(
        actor=actor,
        upload=csv_file(),
        name=" Rent ",
        predictor=Predictor.objects.get(slug="housing-affordability"),
    )
    assert (dataset.coalition, dataset.started_by, dataset.name) == (
        world["coalition"],
        world["people"]["data_lead"],
        "Rent",
    )


def test_loading_and_deleting_are_in_the_activity_log(
    client, world, django_capture_on_commit_callbacks
):
    dataset = upload_and_map(client, world, django_capture_on_commit_callbacks)
    client.post(reverse("metrics:local_data_delete", args=[world["coalition"].pk, dataset.pk]))
    events = list(
        CoalitionEvent.objects.filter(coalition=world["coalition"])
        .filter(kind__in=[EventKind.DATA_IMPORTED, EventKind.DATA_DELETED])
        .order_by("pk")
        .values_list("kind", "actor", "details")
    )
    lead = world["people"]["data_lead"].pk
    label = {"label": "“Rent burden by neighborhood”"}
    assert events == [(EventKind.DATA_IMPORTED, lead, label), (EventKind.DATA_DELETED, lead, label)]


# --- numbers: one parser, with the rules of each kind of file ---------------------------------


@pytest.mark.parametrize(
    ("text", "metric_file", "local_file"),
    [
        ("0.31", 0.31, 0.31),
        (".2997", 0.2997, 0.2997),
        ("1.15e-4", 1.15e-4, 1.15e-4),
        ("-3", -3.0, -3.0),
        ("1,234.5", None, 1234.5),  # people group digits; Urban never does
        ("1_000", None, None),
        ("nan", None, None),
        ("inf", None, None),
        ("", None, None),
        ("lots", None, None),
    ],
)
def test_number_rules_of_metric_files_and_local_data(text, metric_file, local_file):
    def read(thousands: bool) -> float | None:
        try:
            return number_parse(text, thousands=thousands)
        except ValueError:
            return None

    assert read(False) == metric_file
    assert read(True) == local_file


@pytest.mark.parametrize(
    ("cell", "loaded"),
    [("1,250", 1250.0), ("-2", -2.0), ("+3", 3.0), ("=1+2", None), ("1_0", None)],
)
def test_local_values_use_the_shared_number_rules(
    client, world, django_capture_on_commit_callbacks, cell, loaded
):
    content = f'Neighborhood,Year,Rate,Low,High,Group\nA,2022,"{cell}",,,All\n'.encode()
    dataset = upload_and_map(client, world, django_capture_on_commit_callbacks, content)
    values = list(dataset.values.values_list("value", flat=True))
    assert values == ([loaded] if loaded is not None else [])
    assert dataset.status == (JobStatus.SUCCEEDED if loaded is not None else JobStatus.FAILED)


def test_a_failed_load_is_retried_from_its_page_and_the_api(
    client, api_client, world, django_capture_on_commit_callbacks
):
    dataset = upload_and_map(client, world, django_capture_on_commit_callbacks)
    assert dataset.status == JobStatus.SUCCEEDED
    loaded = sorted(dataset.values.values_list("area", "year", "value"))
    LocalDataset.objects.filter(pk=dataset.pk).update(
        status=JobStatus.FAILED, message="The worker stopped", values_loaded=0
    )
    coalition = world["coalition"]
    page = client.get(reverse("metrics:local_data_detail", args=[coalition.pk, dataset.pk]))
    retry = reverse("metrics:local_data_retry", args=[coalition.pk, dataset.pk])
    assert f'action="{retry}"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    dataset.refresh_from_db()
    assert dataset.status == JobStatus.SUCCEEDED, dataset.message
    assert sorted(dataset.values.values_list("area", "year", "value")) == loaded  # not twice

    LocalDataset.objects.filter(pk=dataset.pk).update(status=JobStatus.FAILED)
    url = reverse("api:local-dataset-retry", args=[coalition.pk, dataset.pk])
    api_client.force_authenticate(world["people"]["member"])
    assert api_client.post(url).status_code == 403
    api_client.force_authenticate(world["people"]["data_lead"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url)
    assert response.status_code == 202 and response.json()["status"] == "pending"
    dataset.refresh_from_db()
    assert dataset.status == JobStatus.SUCCEEDED
    assert api_client.post(url).status_code == 400  # only a failed load is retried
