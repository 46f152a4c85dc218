"""Status-list positions, holder identity hashes and digest claims for completion records;
per-client counts of verification-code look-ups.

Existing records get a random, unique status-list position and, when their holder still has an
account, the salted hash of the holder's email. Their verification codes are kept as they are.
"""

import hashlib
import secrets

from django.db import migrations, models

STATUS_LIST_SIZE = 131_072


def fill_existing_records(apps, schema_editor):
    CompletionRecord = apps.get_model("quizzes", "CompletionRecord")
    records = list(CompletionRecord.objects.select_related("trainee").order_by("pk"))
    positions = secrets.SystemRandom().sample(range(STATUS_LIST_SIZE), len(records))
    for record, position in zip(records, positions, strict=True):
        record.status_list_index = position
        if record.trainee is not None:
            record.identity_salt = secrets.token_hex(16)
            email = record.trainee.email.strip().lower()
            digest = hashlib.sha256((email + record.identity_salt).encode()).hexdigest()
            record.identity_hash = f"sha256${digest}"
    CompletionRecord.objects.bulk_update(
        records, ["status_list_index", "identity_salt", "identity_hash"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0011_translatable_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="completionrecord",
            name="status_list_index",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="completionrecord",
            name="identity_salt",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="completionrecord",
            name="identity_hash",
            field=models.CharField(blank=True, editable=False, max_length=71),
        ),
        migrations.AddField(
            model_name="completionrecord",
            name="expiring_announced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="completionrecord",
            name="expired_announced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_existing_records, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="completionrecord",
            name="status_list_index",
            field=models.PositiveIntegerField(
                editable=False, unique=True, verbose_name="status list index"
            ),
        ),
        migrations.AddConstraint(
            model_name="completionrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("status_list_index__lt", STATUS_LIST_SIZE)),
                name="record_status_list_index_in_list",
            ),
        ),
        migrations.CreateModel(
            name="CodeLookupWindow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("client", models.CharField(max_length=64)),
                ("window_start", models.DateTimeField()),
                ("lookups", models.PositiveIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("client", "window_start"),
                        name="one_lookup_count_per_client_window",
                    )
                ],
            },
        ),
    ]
