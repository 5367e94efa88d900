"""Regenerate or check the translations of the guide's content and the metric catalog.

``python manage.py content_translations``: rewrite ``plans/data/<lang>/*.yaml`` and
``metrics/data/<lang>/catalog.yaml`` with every current text (new ones empty, changed ones
marked ``fuzzy``). ``--check``: change nothing, list what is missing or stale, fail if any.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.content_translation import SOURCE_LANGUAGE, load_translated, skeleton_write
from metrics.catalog import CATALOG_PATH
from plans.loader import content_files


def _write(source, language):
    return None, skeleton_write(source, language)


class Command(BaseCommand):
    help = "Add new texts of the guide's content and the metric catalog to their translations."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Only report; change nothing.")
        parser.add_argument("--language", action="append", help="Only this language.")

    def handle(self, *args, check: bool = False, language=None, **options):
        languages = language or [c for c, _n in settings.LANGUAGES if c != SOURCE_LANGUAGE]
        problems: list[str] = []
        for lang in languages:
            for source in [*content_files(), CATALOG_PATH]:
                write = load_translated if check else _write
                report = write(source, lang)[1]
                problems.extend(report.lines())
                done = len(report.missing) + len(report.stale)
                self.stdout.write(f"{lang}/{source.name}: {done or 'nothing'} to translate")
        for line in problems:
            self.stdout.write(line)
        if check and problems:
            raise CommandError(f"{len(problems)} texts need a translation.")
