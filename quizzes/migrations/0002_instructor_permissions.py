from django.db import migrations

from accounts.permissions import grant_to_instructors


def grant(apps, schema_editor):
    grant_to_instructors(
        apps,
        "quizzes",
        [
            "add_topic", "change_topic", "view_topic",
            "add_question", "change_question", "delete_question", "view_question",
            "add_choice", "change_choice", "delete_choice", "view_choice",
            "add_bankimport", "view_bankimport",
            "view_auditlogentry",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("accounts", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
