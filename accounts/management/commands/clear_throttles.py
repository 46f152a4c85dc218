from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.throttling import forget_refilled


class Command(BaseCommand):
    help = (
        "Delete login, sign-up and email counters that have refilled (untouched for longer than "
        "their period); they would allow the next try anyway. Run daily."
    )

    def handle(self, *args, **options):
        deleted = forget_refilled(timezone.now())
        self.stdout.write(f"Deleted {deleted} refilled throttle counter(s).")
