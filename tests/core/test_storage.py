"""Finding 7 (storage): a quota per coalition, refused saves leave no files, orphans go."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coalitions.models import Role
from core.storage import coalition_storage_use, orphaned_files_remove
from core.tasks import orphaned_files_remove_task
from metrics import local_data
from metrics.models import Predictor
from plans import services
from plans.models import WorksheetFile
from tests.factories import CoalitionFactory, MembershipFactory

MB = 1024 * 1024


@pytest.fixture
def team(db):
    coalition = CoalitionFactory()
    return {
        "coalition": coalition,
        "pm": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER),
        # w3_2 is changed by project managers: "m1" is a second one.
        "m1": MembershipFactory(coalition=coalition, role=Role.PROJECT_MANAGER),
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _pdf(size: int, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"x" * (size - 9), "application/pdf")


def _store(member, size):
    return services.worksheet_file_store(
        actor=member, worksheet_key="w3_2", field_key="evidence_file", upload=_pdf(size)
    )


def test_worksheet_files_and_local_data_count_towards_a_refusing_quota(team, settings):
    settings.COALITION_STORAGE_QUOTA_MB = 1
    _store(team["m1"], MB // 2)
    upload = SimpleUploadedFile("d.csv", b"area,year,value\n" + b"A,2020,1\n" * 30_000)
    dataset = local_data.local_dataset_upload(
        actor=MembershipFactory(coalition=team["coalition"], role=Role.DATA_LEAD),
        upload=upload,
        name="Local",
        predictor=Predictor.objects.get(slug="housing-affordability"),
    )
    use = coalition_storage_use(team["coalition"].pk)
    assert use.used == MB // 2 + dataset.file.size and use.quota == MB
    with pytest.raises(ValidationError) as exc:
        _store(team["m1"], MB // 4)
    assert "past its limit of 1 MB" in exc.value.messages[0]
    other = MembershipFactory(role=Role.PROJECT_MANAGER)  # another coalition has its own quota
    assert _store(other, MB // 4)["id"]


def test_the_local_data_page_shows_used_and_quota(client, team, settings):
    settings.COALITION_STORAGE_QUOTA_MB = 10
    _store(team["m1"], 3 * MB)
    client.force_login(team["pm"].user)
    page = client.get(reverse("metrics:local_data_list", args=[team["coalition"].pk]))
    text = page.content.decode()
    assert "take 3.0 MB of its 10 MB" in text
    assert '<meter class="storage-meter"' in text and 'value="30"' in text


def test_a_local_data_upload_over_the_quota_is_refused_at_the_file(client, team, settings):
    settings.COALITION_STORAGE_QUOTA_MB = 1
    _store(team["m1"], MB - 10)
    client.force_login(team["pm"].user)
    response = client.post(
        reverse("metrics:local_data_upload", args=[team["coalition"].pk]),
        {
            "name": "Local",
            "predictor": Predictor.objects.get(slug="housing-affordability").pk,
            "file": SimpleUploadedFile("d.csv", b"area,year,value\nA,2020,1\n"),
        },
    )
    assert response.status_code == 400
    assert "past its limit of 1 MB" in response.context["form"].errors["file"][0]


def _files_on_disk(coalition) -> set[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "worksheet-files" / str(coalition.pk)
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_a_stale_save_keeps_no_upload(client, team):
    url = reverse("plans:worksheet", args=[team["coalition"].pk, "w3_2"])
    client.force_login(team["pm"].user)
    client.post(url, {"version": 0, "resources": "First"})
    before = _files_on_disk(team["coalition"])
    client.force_login(team["m1"].user)
    response = client.post(url, {"version": 0, "evidence_file": _pdf(2000)})  # stale: v0
    assert response.status_code == 302 and "conflict" in response["Location"]
    assert WorksheetFile.objects.filter(coalition=team["coalition"]).count() == 0
    assert _files_on_disk(team["coalition"]) == before


def test_an_upload_the_save_does_not_keep_is_removed(client, team):
    # Two uploads in one post: the valid file is kept, the refused kind never stored, and
    # a good save keeps exactly the file its answer names.
    url = reverse("plans:worksheet", args=[team["coalition"].pk, "w3_2"])
    client.force_login(team["m1"].user)
    client.post(url, {"version": 0, "evidence_file": _pdf(2000)})
    kept = WorksheetFile.objects.get(coalition=team["coalition"])
    bad = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    page = client.post(url, {"version": 1, "evidence_file": bad})
    assert page.status_code == 200
    assert list(WorksheetFile.objects.filter(coalition=team["coalition"])) == [kept]
    assert len(_files_on_disk(team["coalition"])) == 1


def test_the_discard_service_removes_only_unnamed_files_of_the_actor(team):
    one, two = _store(team["m1"], 100), _store(team["m1"], 100)
    removed = services.worksheet_files_discard(
        actor=team["m1"], file_ids=[one["id"], two["id"]], keep={"evidence_file": one}
    )
    assert removed == 1
    assert list(WorksheetFile.objects.values_list("pk", flat=True)) == [one["id"]]


def test_orphaned_files_older_than_an_hour_are_removed(team, settings):
    named = WorksheetFile.objects.get(pk=_store(team["m1"], 100)["id"])
    folder = Path(settings.MEDIA_ROOT) / "worksheet-files" / str(team["coalition"].pk)
    old_orphan, new_orphan = folder / "old-orphan", folder / "new-orphan"
    old_orphan.write_bytes(b"x")
    new_orphan.write_bytes(b"x")
    outside = Path(settings.MEDIA_ROOT) / "not-ours.txt"
    outside.write_bytes(b"x")
    hour_ago = time.time() - 3700
    for path in (old_orphan, Path(named.file.path), outside):
        os.utime(path, (hour_ago, hour_ago))
    assert orphaned_files_remove_task() == 1
    assert not old_orphan.exists()
    assert new_orphan.exists() and Path(named.file.path).exists() and outside.exists()
    new_orphan.unlink()
    outside.unlink()
    assert orphaned_files_remove(older_than_seconds=3600) == 0


def test_the_orphan_task_is_in_the_beat_schedule_beside_job_recovery():
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.tasks.jobs_recover_task", "core.tasks.orphaned_files_remove_task"} <= schedule


def test_a_save_larger_than_the_request_limit_is_refused_before_it_is_read(client, team, settings):
    settings.WORKSHEET_SAVE_MAX_MB = 1
    url = reverse("plans:worksheet", args=[team["coalition"].pk, "w3_2"])
    client.force_login(team["pm"].user)
    response = client.post(url, {"version": 0, "evidence_file": _pdf(MB + 1000)}, follow=True)
    assert "add up to more than 1 MB" in response.content.decode()
    assert not WorksheetFile.objects.exists()
    autosave = reverse("plans:worksheet_autosave", args=[team["coalition"].pk, "w3_2"])
    refused = client.post(autosave, {"version": 0, "evidence_file": _pdf(MB + 1000)})
    assert refused.status_code == 413 and not WorksheetFile.objects.exists()


def test_more_files_than_allowed_in_one_save_stores_none(client, team, settings):
    settings.WORKSHEET_SAVE_MAX_FILES = 0
    url = reverse("plans:worksheet", args=[team["coalition"].pk, "w3_2"])
    client.force_login(team["pm"].user)
    page = client.post(url, {"version": 0, "evidence_file": _pdf(2000), "resources": "Kept"})
    assert "At most 0 files can be added in one save." in page.content.decode()
    assert not WorksheetFile.objects.exists()
