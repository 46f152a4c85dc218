from django.core.management.base import BaseCommand, CommandError

from quizzes.importers import read_gift_bank
from quizzes.models import Topic

from ._bank_import import apply_and_report


class Command(BaseCommand):
    help = (
        "Import a Moodle GIFT file. Each $CATEGORY's last segment names the topic (created when "
        "new) unless --topic puts every question into one topic. Unsupported kinds are skipped "
        "and listed; questions without general feedback come in inactive. A malformed file is "
        "rejected whole, naming the line of the first error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--topic", metavar="SLUG", help="Import every question into this topic."
        )

    def handle(self, *args, file, topic=None, **options):
        chosen = None
        if topic:
            chosen = Topic.objects.filter(slug=topic).first()
            if chosen is None:
                raise CommandError(f"No topic has the slug {topic!r}.")
        apply_and_report(self, lambda data: read_gift_bank(data, topic=chosen), file)
