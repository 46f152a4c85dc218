from django.db import migrations

from accounts.permissions import grant_to_instructors


def grant(apps, schema_editor):
    grant_to_instructors(
        apps,
        "quizzes",
        [
            "add_quiz", "change_quiz", "view_quiz",
            "add_drawrule", "change_drawrule", "delete_drawrule", "view_drawrule",
            "view_attempt",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0003_quizzes_and_attempts"),
        ("accounts", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
