from django.core.management.base import BaseCommand, CommandError

from quizzes.exporters import bank_as_gift
from quizzes.models import Question, Topic


class Command(BaseCommand):
    help = "Print the question bank, or one topic of it, in Moodle's GIFT format."

    def add_arguments(self, parser):
        parser.add_argument("--topic", metavar="SLUG", help="Only this topic's questions.")

    def handle(self, *args, topic=None, **options):
        questions = Question.objects.all()
        if topic:
            if not Topic.objects.filter(slug=topic).exists():
                raise CommandError(f"No topic has the slug {topic!r}.")
            questions = questions.filter(topic__slug=topic)
        self.stdout.write(bank_as_gift(questions), ending="")
