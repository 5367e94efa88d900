"""Time a bilingual plan: freezing one document per language, and exports in one language
against both languages one after the other in one file.

    .venv/bin/python bench/export_bilingual.py [--repeat 2] [--actions 12] [--keep out.pdf]

Builds the same realistic MAP as bench/export_pdf.py (its ``build``), makes Spanish the plan's
second language and writes every section's narrative in Spanish too. Then it times, each the
best of ``--repeat`` runs: freezing a version (one document, then two), the PDF of the plan in
English, in both languages, and the Word file in both languages. The last line gives the times,
page counts and the ratio of the bilingual PDF to twice the one-language PDF.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export_pdf as base  # noqa: E402 - sets up Django in a throwaway database
from django.core.management import call_command  # noqa: E402


def best(repeat: int, run) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best counts")
    parser.add_argument("--actions", type=int, default=12)
    parser.add_argument("--keep", help="write the bilingual PDF here")
    args = parser.parse_args()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    base.fake_metrics()
    from plans import definitions
    from plans.map import services
    from plans.map.models import MapVersion, PlanExport

    coalition, user = base.build(args.actions)
    pm = coalition.memberships.get(user=user)

    def freeze():
        version = services.map_version_freeze(actor=pm, override_reason="bench")
        MapVersion.objects.filter(pk=version.pk).delete()  # numbers stay small and equal
        return version

    def export(language: str, fmt: str = "pdf"):
        job = PlanExport.objects.create(
            coalition=coalition, started_by=user, format=fmt, language=language
        )
        services.plan_export_run(export=job)
        job.refresh_from_db()
        return job

    freeze_one, _v = best(args.repeat, freeze)
    english_time, english = best(args.repeat, lambda: export(""))
    settings_ = coalition.plan_settings
    services.plan_settings_save(
        actor=pm,
        acknowledgements=settings_.acknowledgements,
        page_size=settings_.page_size,
        second_language="es",
    )
    for s in definitions.map_sections():
        services.map_section_save(
            key=s.key,
            actor=pm,
            translations={"es": "\n\n".join(base.text(80, i + 7) for i in range(2))},
        )
    freeze_two, _v = best(args.repeat, freeze)
    both_time, both = best(args.repeat, lambda: export("both"))
    word_time, word = best(args.repeat, lambda: export("both", "docx"))
    if args.keep:
        Path(args.keep).write_bytes(both.file.read())
    print(
        f"export_bilingual: freeze one language {freeze_one:.2f} s, two {freeze_two:.2f} s; "
        f"PDF English {english_time:.2f} s ({english.pages} pages), "
        f"both {both_time:.2f} s ({both.pages} pages), "
        f"both / (2 × English) {both_time / (2 * english_time):.2f}; "
        f"Word both {word_time:.2f} s ({word.size // 1024} KiB)"
    )


if __name__ == "__main__":
    main()
