from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.jobs import job_claim
from core.models import JobStatus
from metrics import services
from metrics.models import MetricImport


class Command(BaseCommand):
    help = "Import an Urban Institute Mobility Metrics file (CSV or .csv.gz) into a release."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--release", default=services.SHIPPED_RELEASE)
        parser.add_argument("--year", type=int, help="for files without a year column")
        parser.add_argument("--activate", action="store_true", help="make the release active")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        services.catalog_sync()
        with path.open("rb") as handle:
            job = services.metric_import_start(
                actor=None,
                upload=File(handle, name=path.name),
                release_name=str(options["release"]),
                year=options["year"],  # type: ignore[arg-type]
                enqueue=False,
            )
        claimed = job_claim(MetricImport, job.pk)
        assert isinstance(claimed, MetricImport)
        services.metric_import_run(job=claimed)
        if claimed.status != JobStatus.SUCCEEDED:
            self.stderr.write(claimed.error_report)
            raise CommandError(claimed.message)
        if options["activate"]:
            services.release_activate(actor=None, release=claimed.release)
        self.stdout.write(claimed.message)
