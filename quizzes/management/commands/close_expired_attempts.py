from django.core.management.base import BaseCommand
from django.utils import timezone

from quizzes.attempts import close_expired_attempts


class Command(BaseCommand):
    help = (
        "Grade every attempt left open past its deadline, with the answers saved by the "
        "deadline. Safe to run often (cron) and from several machines: each attempt is graded "
        "once."
    )

    def handle(self, *args, **options):
        graded = close_expired_attempts(timezone.now())
        self.stdout.write(f"Graded {graded} expired attempt{'s' if graded != 1 else ''}.")
