import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from quizzes.load_data import generate


class Command(BaseCommand):
    help = (
        "Fill the database with generated trainees, each with graded attempts at the SMP Safety "
        "Certification (25 responses each) and records for their passes, in bulk inserts. For "
        "benchmarks and demonstrations; never run it on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, required=True)
        parser.add_argument("--attempts-per-trainee", type=int, default=3)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, trainees, attempts_per_trainee, seed, **options):
        if trainees < 1 or attempts_per_trainee < 1:
            raise CommandError("--trainees and --attempts-per-trainee must be at least 1.")
        started = time.monotonic()

        def progress(totals):
            self.stdout.write(
                f"  {totals['trainees']} trainees, {totals['attempts']} attempts "
                f"({time.monotonic() - started:.0f} s)"
            )

        totals = generate(
            trainees=trainees,
            attempts_per_trainee=attempts_per_trainee,
            now=timezone.now(),
            seed=seed,
            progress=progress if options["verbosity"] > 1 else None,
        )
        self.stdout.write(
            f"Created {totals['trainees']} trainees, {totals['attempts']} attempts, "
            f"{totals['responses']} responses and {totals['records']} completion records in "
            f"{time.monotonic() - started:.1f} s."
        )
