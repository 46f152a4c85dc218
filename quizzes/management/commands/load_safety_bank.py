from django.core.management.base import BaseCommand, CommandError

from quizzes.importers import ImportRejected
from quizzes.safety_bank import load_safety_bank


class Command(BaseCommand):
    help = (
        "Load the SMP safety question bank shipped with the project, and its quizzes (the "
        "certification and one practice quiz per topic). Only what is missing is added, by "
        "stable keys and slugs: running it again adds nothing, and nothing an instructor has "
        "edited is overwritten."
    )

    def handle(self, *args, **options):
        try:
            result, quizzes = load_safety_bank()
        except ImportRejected as error:
            raise CommandError(f"The shipped bank is broken: {error}") from None
        self.stdout.write(
            f"Safety bank: {result.questions_created} questions, {result.topics_created} "
            f"topics and {quizzes} quizzes added; {result.questions_unchanged} questions were "
            "already present."
        )
