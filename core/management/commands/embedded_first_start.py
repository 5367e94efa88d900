from django.core.management.base import BaseCommand

from core.startup import first_start_hooks


class Command(BaseCommand):
    help = "Run the first-start hooks of the embedded mode (e.g. queue the shipped data import)."

    def handle(self, *args: object, **options: object) -> None:
        for hook in first_start_hooks():
            message = hook()
            if message:
                self.stdout.write(message)
