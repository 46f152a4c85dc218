"""Sessions signed in through Django's ModelBackend now name accounts.backends.UserBackend.

Django signs a session in to the backend it names only while that backend is configured: without
this, every trainee would be signed out by the upgrade, mid-attempt. Live sessions only.
"""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import migrations
from django.utils import timezone

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
USER_BACKEND = "accounts.backends.UserBackend"


def rename_backend(apps, schema_editor, old: str, new: str):
    from django.contrib.sessions.backends.db import SessionStore  # its encoding only

    store = SessionStore()
    Session = apps.get_model("sessions", "Session")
    sessions = Session.objects.using(schema_editor.connection.alias)
    for session in sessions.filter(expire_date__gt=timezone.now()).iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) == old:
            data[BACKEND_SESSION_KEY] = new
            sessions.filter(pk=session.pk).update(session_data=store.encode(data))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_email_verification_and_throttles"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            lambda apps, editor: rename_backend(apps, editor, MODEL_BACKEND, USER_BACKEND),
            lambda apps, editor: rename_backend(apps, editor, USER_BACKEND, MODEL_BACKEND),
        )
    ]
