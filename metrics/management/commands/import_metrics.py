from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.jobs import job_run
from core.models import JobStatus
from metrics import services
from metrics.models import MetricImport
from metrics.tasks import IMPORT_FAILED


class Command(BaseCommand):
    help = (
        "Import an Urban Institute Mobility Metrics file (CSV or .csv.gz) into a release, "
        "or with --shipped the 2025 files that ship with the project."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--shipped", action="store_true", help="import the shipped files")
        parser.add_argument("--release", default=services.SHIPPED_RELEASE)
        parser.add_argument("--year", type=int, help="for files without a year column")
        parser.add_argument("--activate", action="store_true", help="make the release active")

    def handle(self, *args: object, **options: object) -> None:
        if bool(options["file"]) == bool(options["shipped"]):
            raise CommandError("Give one FILE or --shipped.")
        if options["shipped"]:
            folder = services.SHIPPED_DIR / services.SHIPPED_RELEASE
            paths = [folder / name for name in services.SHIPPED_FILES]
            release = services.SHIPPED_RELEASE
        else:
            paths = [options["file"]]  # type: ignore[list-item]
            release = str(options["release"])
        services.catalog_sync()
        for path in paths:
            job = self._import(path, release, options["year"])  # type: ignore[arg-type]
            self.stdout.write(f"{path.name}: {job.message}")
        if options["activate"]:
            services.release_activate(actor=None, release=job.release)

    def _import(self, path: Path, release: str, year: int | None) -> MetricImport:
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as handle:
            job = services.metric_import_start(
                actor=None,
                upload=File(handle, name=path.name),
                release_name=release,
                year=year,
                enqueue=False,
            )
        # The same runner as the worker's task, run here in the command's own process.
        claimed = job_run(
            MetricImport,
            job.pk,
            lambda claimed: services.metric_import_run(job=claimed),  # type: ignore[arg-type]
            failure_message=IMPORT_FAILED,
        )
        assert isinstance(claimed, MetricImport)
        if claimed.status != JobStatus.SUCCEEDED:
            self.stderr.write(claimed.error_report)
            raise CommandError(f"{path.name}: {claimed.message}")
        return claimed
