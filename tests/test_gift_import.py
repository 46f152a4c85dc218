"""import_gift and export_gift against the database (the parser itself: test_gift.py)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quizzes.importers import ImportRejected, read_gift_bank, read_json_bank
from quizzes.models import Question, Quiz, Topic

EVERY_FEATURE = (
    "\ufeff// A Moodle bank using every feature we import.\r\n"
    "$CATEGORY: $course$/top/SMP/Needles and pigment\r\n"
    "\r\n"
    "// source: Handbook 2.1\r\n"
    "::Needle depth::[markdown]Where does SMP pigment go?{\r\n"
    "  =Shallower than a tattoo#Right\\: it stays crisp.\r\n"
    "  // a comment between answers\r\n"
    "  ~As deep as a tattoo#Too deep\\: it can turn blue.\r\n"
    "  ####[html]Depth matters.\r\n"
    "}\r\n"
    "\r\n"
    "::Escapes::Which of \\{these\\} \\= special\\: \\~ \\# \\\\?\r\n"
    "Second line.{=All of them ~None}\r\n"
    "\r\n"
    "::Healing signs::Which are normal while healing?{\r\n"
    "  ~%33.33333%Redness\r\n"
    "  ~%33.33333%Itching\r\n"
    "  ~%33.33334%Tightness\r\n"
    "  ~%-50%Blue dots\r\n"
    "  ~%-100%Pus\r\n"
    "  ####Redness, itch and tightness are part of healing.\r\n"
    "}\r\n"
    "\r\n"
    "$CATEGORY: Healing\r\n"
    "\r\n"
    "::Redness::Redness after a session is normal.{T#Look again.#Yes.####Most clients have it.}\r\n"
    "\r\n"
    "::No feedback::Scabs fall off after 5 to 10 days.{TRUE}\r\n"
    "\r\n"
    "::Essay::Describe your aftercare routine.{}\r\n"
    "\r\n"
    "::Gap::The pigment sits in the {~fat =dermis} layer.\r\n"
)


def import_gift(tmp_path, content, *args):
    path = tmp_path / "bank.gift"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = io.StringIO()
    call_command("import_gift", str(path), *args, stdout=out)
    return out.getvalue()


def test_it_imports_every_supported_feature(db, tmp_path):
    output = import_gift(tmp_path, EVERY_FEATURE)
    assert "Imported 5 new questions and 2 new topics" in output
    assert "Line 30: essay" in output
    assert "Line 32: missing word" in output

    depth = Question.objects.get(key="needle-depth")
    assert depth.topic.name == "Needles and pigment"
    assert depth.prompt == "Where does SMP pigment go?"
    assert depth.explanation == "Depth matters."
    assert depth.source_section == "Handbook 2.1"
    assert depth.active
    assert [(c.text, c.is_correct, c.feedback) for c in depth.choices.all()] == [
        ("Shallower than a tattoo", True, "Right: it stays crisp."),
        ("As deep as a tattoo", False, "Too deep: it can turn blue."),
    ]
    escapes = Question.objects.get(key="escapes")
    assert escapes.prompt == "Which of {these} = special: ~ # \\?\nSecond line."
    assert not escapes.active  # no general feedback: waits for an explanation

    signs = Question.objects.get(key="healing-signs")
    assert signs.kind == "multiple"
    assert [c.is_correct for c in signs.choices.all()] == [True, True, True, False, False]

    redness = Question.objects.get(key="redness")
    assert redness.kind == "true_false"
    assert redness.topic.name == "Healing"
    assert [(c.text, c.is_correct, c.feedback) for c in redness.choices.all()] == [
        ("True", True, "Yes."),
        ("False", False, "Look again."),
    ]


def test_questions_without_general_feedback_are_inactive_and_listed(db, tmp_path):
    output = import_gift(tmp_path, EVERY_FEATURE)
    assert "2 questions have no explanation and were imported inactive" in output
    assert "  escapes" in output and "  no-feedback" in output
    assert set(Question.objects.filter(active=False).values_list("key", flat=True)) == {
        "escapes",
        "no-feedback",
    }


def test_importing_the_same_file_twice_adds_nothing(db, tmp_path):
    import_gift(tmp_path, EVERY_FEATURE)
    output = import_gift(tmp_path, EVERY_FEATURE)
    assert "Imported 0 new questions" in output
    assert Question.objects.count() == 5


def test_a_category_maps_to_an_existing_topic_by_name(db, tmp_path):
    Topic.objects.create(name="Healing", slug="healing-side-effects")
    import_gift(tmp_path, EVERY_FEATURE)
    assert Question.objects.get(key="redness").topic.slug == "healing-side-effects"
    assert Topic.objects.filter(name="Healing").count() == 1


def test_the_topic_option_puts_every_question_into_one_topic(db, tmp_path):
    topic = Topic.objects.create(name="Imported", slug="imported")
    import_gift(tmp_path, EVERY_FEATURE, "--topic", "imported")
    assert topic.questions.count() == 5
    assert Topic.objects.count() == 1


def test_an_unknown_topic_option_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="No topic has the slug 'nope'"):
        import_gift(tmp_path, EVERY_FEATURE, "--topic", "nope")


def test_a_title_reused_for_another_prompt_gets_its_own_key(db, tmp_path):
    import_gift(tmp_path, "$CATEGORY: A\n\n::Q1::First?{=a ~b####Why.}\n")
    import_gift(tmp_path, "$CATEGORY: A\n\n::Q1::Second?{=a ~b####Why.}\n")
    keys = sorted(Question.objects.values_list("key", flat=True))
    assert keys[0] == "q1" and keys[1].startswith("q1-")


MALFORMED = [
    ("$CATEGORY: A\n\n::q::Open brace {=a ~b\n\n::r::Fine{=a ~b}\n", "Line 3"),
    ("$CATEGORY: A\n\n::q::Stray } brace{=a ~b}\n", "Line 3"),
    ("$CATEGORY: A\n\n::ok::Fine{=a ~b####x}\n\n::q::Empty list{~}\n", "Line 5"),
    ("$CATEGORY: A\n\n::q::Weight{~%fifty%a ~%50%b}\n", "Line 3"),
    (
        "$CATEGORY: A\n\n::q::Two right{=a =b ~c####Why.}\n",
        "Line 3: A single-answer question needs exactly one correct",
    ),
    (b"$CATEGORY: A\n\n::q::Caf\xe9?{=a ~b}\n", "Line 3: the file is not UTF-8"),
    ("::q::No category{=a ~b}\n", "Line 1: this question has no $CATEGORY"),
    ("", "The file is empty"),
    (b"\x00\x01\x02binary", "binary"),
]


@pytest.mark.parametrize(("content", "message"), MALFORMED)
def test_a_malformed_file_is_rejected_whole_naming_the_line(db, tmp_path, content, message):
    with pytest.raises(CommandError, match=message.replace("$", r"\$")) as error:
        import_gift(tmp_path, content)
    assert "Nothing was imported" in str(error.value)
    assert not Question.objects.exists()
    assert not Topic.objects.exists()


def bank_snapshot():
    return {
        q.key: (
            q.topic.name,
            q.kind,
            q.prompt,
            q.explanation,
            q.source_section,
            [(c.text, c.is_correct) for c in q.choices.all()],
        )
        for q in Question.objects.select_related("topic").prefetch_related("choices")
    }


def test_the_safety_bank_round_trips_through_gift(db, tmp_path):
    call_command("load_safety_bank", stdout=io.StringIO())
    before = bank_snapshot()
    out = io.StringIO()
    call_command("export_gift", stdout=out)
    Quiz.objects.all().delete()
    Question.objects.all().delete()
    Topic.objects.all().delete()
    import_gift(tmp_path, out.getvalue())
    after = bank_snapshot()
    assert after == before


def test_export_gift_of_one_topic(db):
    call_command("load_safety_bank", stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_gift", "--topic", "blue-discoloration", stdout=out)
    text = out.getvalue()
    assert text.count("$CATEGORY:") == 1
    assert "::spread-01::" in text
    assert "::studio-01::" not in text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("reader", [read_gift_bank, read_json_bank])
def test_a_utf16_file_is_told_to_be_saved_as_utf8_not_called_binary(db, encoding, reader):
    with pytest.raises(ImportRejected) as rejected:
        reader('{"topics": []}\nQ? {=a ~b}'.encode(encoding))
    assert "save it as UTF-8" in str(rejected.value)
    assert "binary" not in str(rejected.value)


def test_a_refusal_reads_as_sentences_that_do_not_run_together(db, tmp_path):
    with pytest.raises(CommandError) as error:
        import_gift(tmp_path, "$CATEGORY: A\n\n::q::Weight{~%fifty%a ~%50%b}\n")
    assert str(error.value).endswith(
        "Line 3: the weight '%fifty%' is not a number. Nothing was imported."
    )
