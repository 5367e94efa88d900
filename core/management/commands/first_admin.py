import secrets

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User


class Command(BaseCommand):
    help = (
        "`make run` with DEBUG off: when no administrator exists yet, create one with a "
        "random password and print it once (the demo account's known password is for "
        "`make dev` only)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default="admin@localhost")

    def handle(self, *args: object, email: str, **options: object) -> None:
        with transaction.atomic():
            if User.objects.filter(is_superuser=True, is_active=True).exists():
                return
            password = secrets.token_urlsafe(12)
            user = User(
                email=email,
                name="Administrator",
                is_staff=True,
                is_superuser=True,
                email_verified_at=timezone.now(),
            )
            user.set_password(password)
            user.save()
        self.stdout.write(
            f"First administrator created: {email} with the password {password}\n"
            "(shown only now: sign in and change it under Your account, and the email "
            "under Staff → Django admin)."
        )
