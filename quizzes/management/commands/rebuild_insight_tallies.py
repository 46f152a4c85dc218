import time

from django.core.management.base import BaseCommand, CommandError

from quizzes import tallies


class Command(BaseCommand):
    help = (
        "Recompute the tallies behind the item analysis and cohort mastery from every graded "
        "response. Grading keeps them up to date on its own; run this after changing responses "
        "by hand in the database. Safe while the site runs: grading waits for it. With --check, "
        "change nothing and list where the tallies differ from the responses (exit status 1 if "
        "they do)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the tallies with the responses instead of rebuilding them.",
        )

    def handle(self, *args, check, **options):
        started = time.monotonic()
        if check:
            found = tallies.differences()
            for line in found:
                self.stdout.write(line)
            if found:
                raise CommandError(
                    f"{len(found)} tally row{'s' if len(found) != 1 else ''} differ from the "
                    "responses; run rebuild_insight_tallies without --check to recompute them."
                )
            self.stdout.write("The tallies agree with the responses.")
            return
        counts = tallies.rebuild()
        rows = ", ".join(f"{count} {name} rows" for name, count in counts.items())
        self.stdout.write(f"Rebuilt the tallies ({rows}) in {time.monotonic() - started:.1f} s.")
