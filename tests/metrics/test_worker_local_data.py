"""A real worker loads local data through its limited child process, and refuses past limits."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from coalitions.models import Role
from core.models import JobStatus
from metrics import local_data
from metrics.models import LocalDataset, Predictor
from tests.conftest import wait_for
from tests.factories import CoalitionFactory, MembershipFactory

pytestmark = pytest.mark.worker
MAPPING = {"area": "area", "year": "year", "value": "value"}


@pytest.fixture
def row_limit(monkeypatch):
    # Read by the worker process's settings when the worker fixture starts it.
    monkeypatch.setenv("SPREADSHEET_MAX_ROWS", "5")


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _load(member, name: str, content: bytes) -> LocalDataset:
    dataset = local_data.local_dataset_upload(
        actor=member,
        upload=SimpleUploadedFile(name, content),
        name=name,
        predictor=Predictor.objects.get(slug="housing-affordability"),
    )
    local_data.local_dataset_map(actor=member, dataset=dataset, mapping=MAPPING)

    def finished():
        dataset.refresh_from_db()
        return dataset.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    assert wait_for(finished, timeout=90), f"the worker did not finish ({dataset.status})"
    return dataset


def test_the_worker_loads_through_the_child_and_fails_past_the_row_limit(
    row_limit, reference_data, celery_worker_process
):
    # Only the worker has the low limit: the upload (web side) lets the file through, as
    # it would a file whose declared dimensions are wrong.
    coalition = CoalitionFactory()
    member = MembershipFactory(coalition=coalition, role=Role.DATA_LEAD)
    header = ["area", "year", "value"]
    good = _load(member, "good.xlsx", _xlsx([header, ["North", 2022, 0.5], ["South", 2022, 7]]))
    assert good.status == JobStatus.SUCCEEDED, good.message
    assert sorted(good.values.values_list("area", "value")) == [("North", 0.5), ("South", 7.0)]
    many = _xlsx([header, *[[f"A{i}", 2022, i] for i in range(6)]])
    refused = _load(member, "many.xlsx", many)
    assert refused.status == JobStatus.FAILED
    assert "more than 5 rows" in refused.message
    assert refused.values.count() == 0
    assert celery_worker_process.poll() is None  # the worker itself is still there
