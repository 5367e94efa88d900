from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup, or pg_dump -Fc) and the media folder "
        "into a new folder, with a manifest of versions and checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder")

    def handle(self, *args: object, folder: Path, **options: object) -> None:
        try:
            manifest = backup_create(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        size = sum(entry["size"] for entry in manifest["files"].values())
        self.stdout.write(
            f"Backed up the {manifest['versions']['database']} database and "
            f"{len(manifest['files']) - 1} files ({size / 1e6:.1f} MB) into {folder.resolve()}"
        )
