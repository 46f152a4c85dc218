from django.db import migrations

from accounts.permissions import grant_to_instructors


def grant(apps, schema_editor):
    grant_to_instructors(
        apps, "quizzes", ["view_completionrecord", "revoke_completionrecord"]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0005_completion_records"),
        ("accounts", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
