from django.db import migrations

from accounts.permissions import grant_to_instructors


def grant(apps, schema_editor):
    grant_to_instructors(
        apps, "quizzes", ["view_attemptoverride", "add_attemptoverride", "change_attemptoverride"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0009_review_options_and_overrides"),
        ("accounts", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
