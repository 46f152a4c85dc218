from django.db import migrations

from accounts.permissions import grant_to_instructors


def create_group(apps, schema_editor):
    # Instructors may look at accounts (to find trainees) but never change them: changing users
    # would let an instructor grant themselves any right. Later apps add their own rights.
    grant_to_instructors(apps, "accounts", ["view_user"])


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Instructors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
