from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into this installation (stop the web "
        "server and the worker first). Refuses an installation that holds data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder written by manage.py backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data this installation holds",
        )

    def handle(self, *args: object, folder: Path, force: bool, **options: object) -> None:
        try:
            restored = backup_restore(folder, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored the {restored.database} database and {restored.files} files "
            f"from {folder.resolve()}"
        )
