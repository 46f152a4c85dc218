from django.core.management.base import BaseCommand, CommandError

from quizzes.importers import ImportRejected
from quizzes.safety_bank import load_safety_bank, record_history


class Command(BaseCommand):
    help = (
        "Install the SMP safety question bank shipped with the project and its quizzes (the "
        "certification and one practice quiz per topic), or upgrade an installed one. Shipped "
        "questions, topics and quizzes that no instructor has edited are brought up to date; "
        "questions the new bank no longer has are retired (made inactive; past attempts keep "
        "their snapshots); anything an instructor edited is left alone and listed. Running it "
        "again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--record-history",
            action="store_true",
            help="For developers: remember the bank as shipped now, after changing its files.",
        )

    def handle(self, *args, **options):
        if options["record_history"]:
            added = record_history()
            self.stdout.write(f"Recorded {added} new fingerprints in the bank's history.")
            return
        try:
            report = load_safety_bank()
        except ImportRejected as error:
            raise CommandError(f"The shipped bank is broken: {error}") from None
        self.stdout.write(
            f"Safety bank: {report.questions_created} questions added, "
            f"{report.questions_updated} updated, {report.questions_retired} retired, "
            f"{report.questions_unchanged} unchanged; {report.topics_created} topics added, "
            f"{report.topics_updated} updated; {report.quizzes_created} quizzes added, "
            f"{report.quizzes_updated} updated; {report.images_stored} illustrations stored."
        )
        if report.edited:
            self.stdout.write(
                f"Left as an instructor edited them ({len(report.edited)}): "
                + ", ".join(report.edited)
            )
