from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "mobility-demo"  # noqa: S105 - printed on purpose; embedded mode only


class Command(BaseCommand):
    help = "Create the demo account of the embedded mode (refused when DEBUG is off)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs in the embedded/debug mode (DEBUG on).")
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                email=DEMO_EMAIL,
                defaults={
                    "name": "Demo Staff",
                    "is_staff": True,
                    "is_superuser": True,
                    "email_verified_at": timezone.now(),
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
        self.stdout.write(
            f"Demo account {'created' if created else 'present'}: {DEMO_EMAIL} / {DEMO_PASSWORD}"
        )
