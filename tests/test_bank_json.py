import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.models import AuditLogEntry, Choice, Question, Quiz, Topic


def export_bank() -> dict:
    out = io.StringIO()
    call_command("export_bank", stdout=out)
    return json.loads(out.getvalue())


def import_bank(tmp_path, content, name="bank.json"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    out = io.StringIO()
    call_command("import_bank", str(path), stdout=out)
    return out.getvalue()


def small_bank(**question_changes):
    question = {
        "key": "gloves-01",
        "kind": "single",
        "prompt": "When do you change gloves?",
        "explanation": "New gloves for each client. Also after any break.",
        "source_section": "Infection-control notes: During the procedure",
        "active": True,
        "choices": [
            {"text": "For every client and after any break", "correct": True},
            {"text": "Once a day", "correct": False},
        ],
        **question_changes,
    }
    return {
        "topics": [
            {
                "slug": "hygiene",
                "name": "Hygiene",
                "order": 1,
                "study_notes": "Wash, glove, cover.",
                "questions": [question],
            }
        ]
    }


def test_the_shipped_bank_round_trips_through_an_empty_database(db, tmp_path):
    call_command("load_safety_bank", stdout=io.StringIO())
    exported = export_bank()
    Quiz.objects.all().delete()
    Choice.objects.all().delete()
    Question.objects.all().delete()
    Topic.objects.all().delete()
    import_bank(tmp_path, exported)
    assert export_bank() == exported


def test_export_has_the_documented_shape(db, tmp_path):
    import_bank(tmp_path, small_bank())
    topic = export_bank()["topics"][0]
    assert topic["slug"] == "hygiene"
    assert topic["study_notes"] == "Wash, glove, cover."
    question = topic["questions"][0]
    assert {k: question[k] for k in ("key", "kind", "active")} == {
        "key": "gloves-01",
        "kind": "single",
        "active": True,
    }
    assert question["choices"][0] == {
        "text": "For every client and after any break",
        "correct": True,
        "feedback": "",
    }


def test_importing_again_adds_nothing_and_overwrites_nothing(db, tmp_path):
    import_bank(tmp_path, small_bank())
    Question.objects.filter(key="gloves-01").update(prompt="Edited by an instructor")
    output = import_bank(tmp_path, small_bank())
    assert "Imported 0 new questions" in output
    assert "1 questions were already in the bank" in output
    assert Question.objects.get().prompt == "Edited by an instructor"


def test_an_import_writes_an_audit_log_entry(db, tmp_path):
    import_bank(tmp_path, small_bank())
    entry = AuditLogEntry.objects.get()
    assert entry.action == "quizzes.bank.imported"
    assert entry.data["questions_created"] == 1


BAD_FILES = [
    (b"", "The file is empty"),
    (b"   \n", "The file is empty"),
    (b'{"topics": []}\x00\x01\x02', "Line 1: the file contains binary data"),
    (b'{"topics": [\n{"slug": "caf\xe9"}]}', "Line 2: the file is not UTF-8"),
    (b'{"topics": [\n  {"slug": "a",\n  }\n]}', "Line 3: this is not valid JSON"),
    (b"[1, 2]", 'a JSON object with a "topics" list'),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
    (b'{"topics": [' + b"9" * 5000 + b"]}", "number too long"),
    (b'{"topics": [{"slug": "a\\u0000b", "name": "x"}]}', "NUL character"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_broken_file_is_rejected_with_a_clear_message_and_writes_nothing(
    db, tmp_path, content, message
):
    with pytest.raises(CommandError, match=message):
        import_bank(tmp_path, content)
    assert not Topic.objects.exists()


def test_a_file_over_5_mb_is_rejected(db, tmp_path):
    with pytest.raises(CommandError, match="the limit is 5 MB"):
        import_bank(tmp_path, b"{" + b" " * (5 * 1024 * 1024) + b"}")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "essay"}, "kind"),
        ({"explanation": ""}, "Write an explanation before making the question active"),
        (
            {"choices": [{"text": "A", "correct": True}, {"text": "B", "correct": True}]},
            "exactly one correct choice",
        ),
        ({"choices": [{"text": "A", "correct": "yes"}]}, "'correct' must be true or false"),
        ({"key": "Not a slug!"}, "key"),
        ({"prompt": 42}, "'prompt' must be text"),
    ],
)
def test_a_question_that_breaks_a_rule_rejects_the_whole_file(db, tmp_path, change, message):
    bank = small_bank()
    good = small_bank()["topics"][0]["questions"][0] | {"key": "good-one"}
    bank["topics"][0]["questions"].insert(0, good)
    bank["topics"][0]["questions"][1].update(change)
    with pytest.raises(CommandError, match=message) as error:
        import_bank(tmp_path, bank)
    assert "topics[0].questions[1]" in str(error.value)
    assert not Question.objects.exists()
    assert not Topic.objects.exists()


def test_a_key_used_twice_in_one_file_is_rejected(db, tmp_path):
    bank = small_bank()
    bank["topics"][0]["questions"] *= 2
    with pytest.raises(CommandError, match="used twice"):
        import_bank(tmp_path, bank)
    assert not Question.objects.exists()


def test_an_illustration_name_outside_the_pictures_folder_is_refused(db):
    import json

    from quizzes.importers import ImportRejected, read_json_bank

    bank = {
        "topics": [
            {
                "slug": "t",
                "name": "T",
                "questions": [
                    {
                        "key": "q",
                        "kind": "true_false",
                        "prompt": "P?",
                        "image": "../../settings.py",
                        "image_alt": "A",
                        "choices": [
                            {"text": "True", "correct": True},
                            {"text": "False", "correct": False},
                        ],
                    }
                ],
            }
        ]
    }
    with pytest.raises(ImportRejected, match="is not the file name of a picture"):
        read_json_bank(json.dumps(bank).encode())
