from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.records import send_expiry_reminders


class Command(BaseCommand):
    help = (
        "Email each holder whose completion record expires within 30, 7 or 1 days, each "
        "reminder once (renewed and revoked records get none). Run it daily from cron."
    )

    def handle(self, *args, **options):
        sent = send_expiry_reminders(timezone.now())
        self.stdout.write(f"Sent {sent} expiry reminder{'s' if sent != 1 else ''}.")
