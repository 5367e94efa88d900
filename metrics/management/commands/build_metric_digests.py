from django.core.management.base import BaseCommand, CommandError

from metrics.models import Release
from metrics.profiles.digest import release_digests_build


class Command(BaseCommand):
    help = "Rebuild city medians and peer features of a release (done after every import)."

    def add_arguments(self, parser):
        parser.add_argument("--release", help="release name (default: the active release)")

    def handle(self, *args: object, **options: object) -> None:
        name = options.get("release")
        release = (
            Release.objects.filter(name=name).first()
            if name
            else Release.objects.filter(is_active=True).first()
        )
        if release is None:
            raise CommandError(f"No release {name!r}." if name else "No active release.")
        for digest in release_digests_build(release=release):
            self.stdout.write(
                f"{release.name} {digest.kind}: {len(digest.features)} places, "
                f"{len(digest.medians)} metrics with medians"
            )
