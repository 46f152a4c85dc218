"""The audit trail: every instructor change with before and after, readable, never editable."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from quizzes import audit
from quizzes.attempts import set_override
from quizzes.models import AuditLogEntry, AuditLogRefused, Question, Quiz
from quizzes.records import revoke_record
from tests.conftest import pass_quiz
from tests.test_question_admin import question_form


def change_form(question, **changes):
    """The admin form of the question as it stands, with its two choices, then `changes`."""
    choices = list(question.choices.order_by("order"))
    data = question_form(
        question.topic,
        key=question.key,
        prompt=question.prompt,
        explanation=question.explanation,
        source_document="",
        source_section="",
        **{
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "2",
            "choices-2-order": None,
            "choices-2-text": None,
        },
    )
    for n, choice in enumerate(choices):
        data[f"choices-{n}-id"] = choice.pk
        data[f"choices-{n}-question"] = question.pk
        data[f"choices-{n}-text"] = choice.text
        data[f"choices-{n}-order"] = choice.order
        data[f"choices-{n}-is_correct"] = "on" if choice.is_correct else None
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_editing_a_question_in_the_admin_logs_who_and_the_question_before_and_after(
    instructor_client, instructor, question
):
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    response = instructor_client.post(
        url,
        change_form(question, prompt="When must gloves be changed?", **{"choices-1-text": "Never"}),
    )
    assert response.status_code == 302
    entry = AuditLogEntry.objects.get(action="quizzes.question.changed")
    assert entry.actor == instructor
    assert entry.actor_name == "Ines Instructor <ines@example.com>"
    assert (entry.object_type, entry.object_id) == ("quizzes.question", str(question.pk))
    assert entry.before["prompt"] == "When do you change gloves?"
    assert entry.after["prompt"] == "When must gloves be changed?"
    assert [c["text"] for c in entry.before["choices"]] == ["For every client", "Once a day"]
    assert [c["text"] for c in entry.after["choices"]] == ["For every client", "Never"]


def test_saving_without_a_change_logs_nothing(instructor_client, question):
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    assert instructor_client.post(url, change_form(question)).status_code == 302
    assert not AuditLogEntry.objects.exists()


def test_adding_and_deleting_a_question_are_logged(instructor_client, topic):
    instructor_client.post(reverse("admin:quizzes_question_add"), question_form(topic))
    added = Question.objects.get(key="sharps-01")
    instructor_client.post(
        reverse("admin:quizzes_question_delete", args=[added.pk]), {"post": "yes"}
    )
    assert not Question.objects.exists()
    adding, deleting = AuditLogEntry.objects.order_by("id")
    assert (adding.action, adding.before) == ("quizzes.question.added", None)
    assert adding.after["key"] == "sharps-01"
    assert deleting.action == "quizzes.question.deleted"
    assert deleting.before["prompt"] == "Where does a used needle go?"
    assert deleting.object_id == str(added.pk)


def test_switching_questions_off_in_bulk_logs_each_one(instructor_client, question):
    instructor_client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "deactivate", "_selected_action": [question.pk]},
    )
    entry = AuditLogEntry.objects.get()
    assert (entry.before, entry.after) == ({"active": True}, {"active": False})


def test_deleting_a_quiz_logs_its_draw_rules_too(client, make_user, quiz_factory):
    client.force_login(make_user("root@example.com", "Root", is_staff=True, is_superuser=True))
    quiz = quiz_factory(slug="practice-1", per_topic=2, topics=1)
    client.post(reverse("admin:quizzes_quiz_delete", args=[quiz.pk]), {"post": "yes"})
    assert not Quiz.objects.exists()
    entry = AuditLogEntry.objects.get()
    assert entry.action == "quizzes.quiz.deleted"
    assert entry.before["title"] == "Quiz practice-1"
    assert entry.before["draw_rules"][0]["count"] == 2


def test_revoking_and_overriding_log_before_and_after(quiz_factory, alice, instructor):
    certification = quiz_factory(slug="cert", purpose="certification")
    pass_quiz(certification, alice)
    record = alice.completion_records.get()
    revoke_record(record_id=record.pk, reason="Cheated", actor=instructor, now=timezone.now())
    set_override(
        trainee=alice,
        quiz=certification,
        extra_minutes=0,
        extra_attempts=1,
        lift_cooldown=False,
        reason="Power cut",
        actor=instructor,
        now=timezone.now(),
    )
    revoked = AuditLogEntry.objects.get(action="quizzes.record.revoked")
    assert revoked.before["revoked_at"] is None
    assert revoked.after["revocation_reason"] == "Cheated"
    override = AuditLogEntry.objects.get(action="quizzes.override.set")
    assert override.before is None  # a new override
    assert override.after["extra_attempts"] == 1
    assert override.object_repr == f"user #{alice.pk} — {certification}"


@pytest.fixture
def entry(db, instructor):
    return audit.log_action(
        actor=instructor,
        action="quizzes.question.changed",
        object_repr="gloves-01",
        before={"active": True},
        after={"active": False},
    )


def test_the_model_layer_refuses_to_change_or_delete_an_entry(entry):
    entry.object_repr = "something else"
    with pytest.raises(AuditLogRefused):
        entry.save()
    with pytest.raises(AuditLogRefused):
        entry.delete()
    with pytest.raises(AuditLogRefused):
        AuditLogEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(AuditLogRefused):
        AuditLogEntry.objects.all().delete()
    assert AuditLogEntry.objects.get().object_repr == "gloves-01"


def test_deleting_the_actor_leaves_the_entry_saying_who_it_was(entry, instructor):
    instructor.delete()
    kept = AuditLogEntry.objects.get()
    assert kept.actor_name == "Ines Instructor <ines@example.com>"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_postgresql_refuses_an_update_or_delete_behind_the_orms_back(entry):
    from django.db import ProgrammingError, transaction

    for sql in (
        "UPDATE quizzes_auditlogentry SET object_repr = 'x'",
        "DELETE FROM quizzes_auditlogentry",
    ):
        with (
            pytest.raises(ProgrammingError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert AuditLogEntry.objects.get().object_repr == "gloves-01"


def test_instructors_read_and_filter_the_trail_but_cannot_edit_it(instructor_client, entry):
    listing = instructor_client.get(
        reverse("admin:quizzes_auditlogentry_changelist"), {"object_type": "quizzes.question"}
    )
    hidden = instructor_client.get(
        reverse("admin:quizzes_auditlogentry_changelist"), {"object_type": "quizzes.quiz"}
    )
    assert "gloves-01" not in hidden.content.decode()
    assert listing.status_code == 200
    assert "gloves-01" in listing.content.decode()
    change_url = reverse("admin:quizzes_auditlogentry_change", args=[entry.pk])
    page = instructor_client.get(change_url).content.decode()
    assert 'name="_save"' not in page
    assert "&quot;active&quot;: false" in page  # the after column, as JSON
    assert instructor_client.post(change_url, {"object_repr": "x"}).status_code == 403
    assert instructor_client.get(reverse("admin:quizzes_auditlogentry_add")).status_code == 403
    delete_url = reverse("admin:quizzes_auditlogentry_delete", args=[entry.pk])
    assert instructor_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditLogEntry.objects.get().object_repr == "gloves-01"


def test_the_academys_and_a_trainers_edits_are_logged(client, make_user):
    from academy.models import Academy, Trainer

    root = make_user("root@example.com", "Root", is_staff=True, is_superuser=True)
    client.force_login(root)
    academy = Academy.objects.get()
    client.post(
        reverse("admin:academy_academy_change", args=[academy.pk]),
        {"name": "Northside SMP Academy", "address": "1 New Road", "email": "a@example.com"},
    )
    entry = AuditLogEntry.objects.get(action="academy.academy.changed")
    assert entry.actor == root
    assert entry.after["name"] == "Northside SMP Academy"
    assert entry.before["name"] != entry.after["name"]
    client.post(reverse("admin:academy_trainer_add"), {"name": "Tess", "qualification": "RN"})
    trainer = Trainer.objects.get()
    client.post(
        reverse("admin:academy_trainer_change", args=[trainer.pk]),
        {"name": "Tess", "qualification": "RN, BBP instructor"},
    )
    changed = AuditLogEntry.objects.get(action="academy.trainer.changed")
    assert (changed.before["qualification"], changed.after["qualification"]) == (
        "RN",
        "RN, BBP instructor",
    )
    assert AuditLogEntry.objects.filter(action="academy.trainer.added").exists()
