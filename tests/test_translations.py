"""Every user-facing string can be translated: a later language is only a catalogue.

The pages are rendered in a pseudo-language whose translations wrap the English text in ⟪…⟫,
with test data wrapped in «…». Whatever English is left once the marked text, the data, the
numbers and the punctuation are taken out was printed by a string no catalogue can reach.
"""

import gettext as gettext_module
import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import trans_real

from academy.models import Academy, Trainer
from quizzes.attempts import save_response, start_attempt, submit_attempt
from quizzes.models import BankImport, Choice, CompletionRecord, Question, Topic
from quizzes.records import SHORT_CODE_PATTERN
from smptraining.jinja2 import forget_compiled_translations
from tests.conftest import answer_all

PSEUDO = "en-xa"
LEFT, RIGHT = "⟪", "⟫"
MARKED = re.compile(f"{LEFT}[^{LEFT}{RIGHT}]*{RIGHT}")
DATA = re.compile(r"«[^«»]*»")
# Not words of any language: addresses, links, verification codes (about 1 in 90 has no digit)
# and identifiers with a digit in them.
NOT_WORDS = re.compile(rf"\S+@\S+|https?://\S+|{SHORT_CODE_PATTERN}|[\w-]{{20,}}|[\w-]*\d[\w-]*")
# Separators between two texts in one element: "Title | Site", "Home › Questions", "Line 3: essay".
PHRASE_BREAK = re.compile(r"\s*[|›:]\s*")
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
# Names of file formats, written the same in every language.
PROPER_NAMES = {"JSON", "GIFT", "Moodle"}

# Printed on the instructors' pages by files this test does not own, and not wrapped for
# translation yet: whole phrases (an element's text, split at "|", "›" and ":"). Remove an entry
# once its file wraps it; from then on the test keeps it wrapped. Trainees' and visitors' pages
# have no such exceptions.
NOT_YET_TRANSLATED: set[str] = set()
# Printed only by Django's own admin templates (its navigation sidebar, app list, change list
# and breadcrumbs): Django's untranslated alt texts of its search and yes/no icons.
NOT_YET_TRANSLATED_IN_DJANGO_ADMIN = {
    "Search",
    "True",
    "False",
}
# Pages built by Django's admin templates (the project only adds to them).
DJANGO_ADMIN_PAGES = {
    "instructor admin index",
    "instructor question list",
    "instructor import done",
}


class PseudoTranslation(gettext_module.NullTranslations):
    """Translate every message into itself between ⟪ and ⟫, placeholders kept."""

    def gettext(self, message):
        # pgettext() asks for "context\x04message" and would treat a kept "\x04" as missing.
        return LEFT + message.rpartition(trans_real.CONTEXT_SEPARATOR)[2] + RIGHT

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)

    def pgettext(self, context, message):
        return self.gettext(message)

    def npgettext(self, context, singular, plural, n):
        return self.ngettext(singular, plural, n)

    def to_language(self):
        return PSEUDO


@pytest.fixture
def pseudo_locale():
    """Activate the pseudo-language for templates, gettext, lazy strings and dates alike."""
    trans_real._translations[PSEUDO] = PseudoTranslation()
    forget_compiled_translations()
    try:
        with translation.override(PSEUDO):
            yield
    finally:
        trans_real._translations.pop(PSEUDO, None)
        # Forget that "en-xa" has no catalogue (the same call Django makes on a LANGUAGES change).
        trans_real.reset_cache(setting="LANGUAGES")
        formats.reset_format_cache()
        forget_compiled_translations()


class SpokenText(HTMLParser):
    """The text a reader sees or a screen reader says: text nodes, the spoken attributes, and
    data-* attributes (the words the page's script shows come from there).

    Each piece comes with whether it sits in the admin's navigation sidebar (Django's).
    """

    HIDDEN = {"script", "style", "template"}
    SPOKEN = ("aria-label", "aria-description", "alt", "title", "placeholder")
    BUTTONS = {"submit", "button", "reset"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, bool]] = []
        self.open: list[tuple[str, str]] = []  # (tag, id) of each element we are inside

    def in_sidebar(self) -> bool:
        return any(element_id == "nav-sidebar" for _tag, element_id in self.open)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        spoken = [attrs[name] for name in self.SPOKEN if attrs.get(name)]
        spoken += [value for name, value in attrs.items() if name.startswith("data-") and value]
        if tag == "input" and attrs.get("type") in self.BUTTONS and attrs.get("value"):
            spoken.append(attrs["value"])
        self.pieces += [(text, self.in_sidebar()) for text in spoken]
        if tag not in self.VOID:
            self.open.append((tag, attrs.get("id") or ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        tags = [open_tag for open_tag, _id in self.open]
        if tag in tags:
            del self.open[len(tags) - 1 - tags[::-1].index(tag) :]

    def handle_data(self, data):
        if not any(tag in self.HIDDEN for tag, _id in self.open):
            self.pieces.append((data, self.in_sidebar()))


def without_marked_text(text: str) -> str:
    """Take out translated text and data, innermost first (a translation may hold markup)."""
    previous = None
    while previous != text:
        previous, text = text, DATA.sub(" ", MARKED.sub(" ", text))
    return text


def untranslated(pieces, *, allowed=frozenset()) -> list[str]:
    """The phrases that still hold an English word once marked text and data are taken out.

    `pieces` are texts, or (text, in Django's admin sidebar) pairs as page_text() gives them;
    a phrase in `allowed` passes, and so do Django's own ones inside its sidebar.
    """
    left = []
    for piece in pieces:
        text, in_sidebar = (piece, False) if isinstance(piece, str) else piece
        passing = allowed | NOT_YET_TRANSLATED_IN_DJANGO_ADMIN if in_sidebar else allowed
        text = " ".join(NOT_WORDS.sub(" ", without_marked_text(text)).split())
        for phrase in PHRASE_BREAK.split(text):
            phrase = phrase.strip(" .,;·—–-()")
            if phrase in passing:
                continue
            if any(word not in PROPER_NAMES for word in ENGLISH_WORD.findall(phrase)):
                left.append(phrase)
    return left


def page_text(html: str) -> list[tuple[str, bool]]:
    """The visible and spoken text of a page once its translated text and data are gone."""
    parser = SpokenText()
    parser.feed(without_marked_text(html))
    parser.close()
    return parser.pieces


def wrap(text: str) -> str:
    return f"«{text}»"


# --- Test data: every string a trainee or an instructor typed is wrapped in «» ----------------


def pass_quiz(quiz, trainee, now):
    with time_machine.travel(now, tick=False):
        attempt = start_attempt(quiz=quiz, trainee=trainee, now=now)
        answer_all(attempt, right=True)
        return submit_attempt(attempt=attempt, now=now)


def answer_partly(attempt):
    """Tick only one of the two right choices of each multiple-answer question."""
    for drawn in attempt.drawn.filter(kind="multiple"):
        first_right = next(i for i in range(len(drawn.choices)) if drawn.correct >> i & 1)
        save_response(
            attempt=attempt,
            position=drawn.position,
            values=[str(drawn.display_order.index(first_right) + 1)],
            now=timezone.now(),
        )


@pytest.fixture
def world(settings, quiz_factory, alice, bob, instructor, make_user):
    """Quizzes, attempts and records in every state the pages show."""
    Academy.objects.update(name=wrap("Issuer"), address=wrap("Harbour Street"))
    trainer = Trainer.objects.create(name=wrap("Tess Trainer"), qualification=wrap("Nurse"))
    certification = quiz_factory(
        slug="cert",
        title=wrap("Certification"),
        description=wrap("About the certification"),
        purpose="certification",
        time_limit_minutes=30,
        topic_floor=60,
        trainer=trainer,
        study_hours=2,
    )
    practice = quiz_factory(
        slug="practice",
        title=wrap("Practice"),
        max_attempts=5,
        cooldown_minutes=0,
        topic_floor=60,
    )
    limited = quiz_factory(
        slug="limited", title=wrap("Limited"), max_attempts=1, cooldown_minutes=10
    )
    for topic in Topic.objects.all():
        topic.name = wrap(topic.name)
        topic.study_notes = f"{wrap('First paragraph')}\n\n{wrap('Second paragraph')}"
        topic.save()
    for question in Question.objects.all():
        question.prompt = wrap(question.prompt)
        question.explanation = wrap(question.explanation)
        question.save()
    for choice in Choice.objects.all():
        choice.text = wrap(choice.text)
        choice.feedback = wrap(choice.feedback)
        choice.save()
    Topic.objects.create(name=wrap("Empty topic"), slug="empty-1", order=9)
    for person, name in ((alice, "Alice Adams"), (bob, "Bob Brown"), (instructor, "Ines")):
        person.full_name = wrap(name)
        person.job_title = wrap("SMP practitioner")
        person.save()
    now = timezone.now()

    # Alice: an expired record and its renewal, a failed practice with partial credit and a
    # question left out, a practice in progress, a used-up quiz and a timed attempt underway.
    pass_quiz(certification, alice, now - timedelta(days=400))
    renewal = pass_quiz(certification, alice, now - timedelta(days=1))
    failed = start_attempt(quiz=practice, trainee=alice, now=now)
    answer_all(failed, right=False, skip=(1,))
    answer_partly(failed)
    submit_attempt(attempt=failed, now=now)
    in_progress = start_attempt(quiz=practice, trainee=alice, now=now)
    answer_all(in_progress, skip=(1, 2))
    pass_quiz(limited, alice, now)
    timed = start_attempt(quiz=certification, trainee=alice, now=now)
    answer_all(timed)

    # Bob: a revoked record. Carol: a record about to expire.
    pass_quiz(certification, bob, now - timedelta(days=2))
    revoked = CompletionRecord.objects.get(trainee=bob)
    revoked.revoked_at = now
    revoked.revoked_by = instructor
    revoked.revocation_reason = wrap("Issued to the wrong person")
    revoked.save()
    carol = make_user("carol@example.com", wrap("Carol Clark"))
    pass_quiz(certification, carol, now - timedelta(days=350))

    return {
        "certification": certification,
        "renewal": renewal,
        "failed": failed,
        "in_progress": in_progress,
        "timed": timed,
        "expired_record": CompletionRecord.objects.filter(trainee=alice).earliest("issued_at"),
        "record": CompletionRecord.objects.filter(trainee=alice).latest("issued_at"),
        "revoked_record": revoked,
        "expiring_record": CompletionRecord.objects.get(trainee=carol),
    }


GIFT_FILE = (
    "$CATEGORY: «Imported 1»\n\n"
    "::q1:: «Which glove?» {=«Nitrile» ~«None» ####«Because it protects.»}\n\n"
    "::q2:: «Unexplained?» {=«Yes» ~«No»}\n\n"
    "::q3:: «Write an essay» {}\n"
).encode()


def trainee_pages(world):
    """(name, url) of every page a trainee reaches by a GET."""
    timed = world["timed"]
    multiple = timed.drawn.filter(kind="multiple").first().position
    return [
        ("home", reverse("home")),
        ("study list", reverse("quizzes:topic_list")),
        ("sources", reverse("quizzes:sources")),
        ("study notes", reverse("quizzes:topic_detail", args=["topic-1"])),
        ("study notes not written", reverse("quizzes:topic_detail", args=["empty-1"])),
        ("quiz list", reverse("quizzes:quiz_list")),
        ("certification quiz", reverse("quizzes:quiz_detail", args=["cert"])),
        ("practice quiz", reverse("quizzes:quiz_detail", args=["practice"])),
        ("quiz refused", reverse("quizzes:quiz_detail", args=["limited"])),
        ("question", reverse("quizzes:question", args=[timed.pk, 1])),
        ("multiple-answer question", reverse("quizzes:question", args=[timed.pk, multiple])),
        ("last question", reverse("quizzes:question", args=[timed.pk, timed.question_count])),
        ("review, all answered", reverse("quizzes:review", args=[timed.pk])),
        ("result, passed", reverse("quizzes:result", args=[world["renewal"].pk])),
        ("history", reverse("quizzes:history")),
        ("records", reverse("quizzes:my_records")),
        ("profile", reverse("accounts:profile")),
        ("password change", reverse("password_change")),
        ("password changed", reverse("password_change_done")),
        ("logout confirm", reverse("logout")),
    ]


def public_pages(world):
    """(name, url) of every page anyone reaches by a GET."""
    verify = "quizzes:verify"
    alice = world["record"].trainee
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    return [
        ("home", reverse("home")),
        ("verify form", reverse("quizzes:verify_form")),
        ("verify valid", reverse(verify, args=[world["record"].verification_code])),
        ("verify expired", reverse(verify, args=[world["expired_record"].verification_code])),
        ("verify expiring", reverse(verify, args=[world["expiring_record"].verification_code])),
        ("verify revoked", reverse(verify, args=[world["revoked_record"].verification_code])),
        ("verify unknown", reverse("quizzes:verify_form") + "?code=not-a-code"),
        ("login", reverse("login")),
        ("sign-up", reverse("accounts:signup")),
        ("password reset", reverse("password_reset")),
        ("password reset sent", reverse("password_reset_done")),
        ("password reset link", reverse("password_reset_confirm", args=[uid, token])),
        ("password reset link used", reverse("password_reset_confirm", args=[uid, "0-0"])),
        ("password set", reverse("password_reset_complete")),
        ("logout confirm", reverse("logout")),
    ]


def instructor_pages(world):
    """(name, url) of every instructor page built on the project's templates."""
    certification = world["certification"]
    return [
        ("admin index", reverse("admin:index")),
        ("home", reverse("insight:home")),
        ("gradebook", reverse("insight:gradebook")),
        ("gradebook, filters not understood", reverse("insight:gradebook") + "?passed=maybe"),
        ("trainee", reverse("insight:trainee", args=[world["record"].trainee_id])),
        ("attempt", reverse("insight:attempt", args=[world["failed"].pk])),
        ("item analysis", reverse("insight:item_analysis", args=[certification.pk])),
        ("cohort", reverse("insight:cohort")),
        ("cohort of a quiz", reverse("insight:cohort") + f"?quiz={certification.pk}"),
        ("cohort of an unknown quiz", reverse("insight:cohort") + "?quiz=999999"),
        ("question list", reverse("admin:quizzes_question_changelist")),
        ("question import", reverse("admin:quizzes_question_import")),
        (
            "question preview",
            reverse("admin:quizzes_question_preview", args=[Question.objects.first().pk]),
        ),
    ]


# What some pages must show for the test data to reach every branch of their templates.
SHOWN_ON = {
    "trainee question": 'id="countdown"',
    "trainee quiz list": "text-bg-primary",
    "trainee quiz refused": 'class="alert alert-secondary"',
    "trainee review, unanswered": 'class="unanswered',
    "trainee result, failed": "text-warning-emphasis",
    "trainee history": 'class="history-chart"',
    "anonymous verify valid": 'class="record-chain"',
    "anonymous verify revoked": "alert-danger",
    "anonymous password reset link": 'name="new_password1"',
    "login locked out": 'href="/accounts/password_reset/"',
    "practice answer checked": "check-feedback",
    "submit with questions unanswered": 'name="confirm"',
    "instructor cohort of a quiz": 'class="trend-chart"',
    "instructor item analysis": 'class="help few-attempts"',
    "instructor import preview": 'type="submit"',
    "instructor import applied": "⟪Imported on",
    "instructor revoke": 'name="reason"',
}


def allowed(page_name: str) -> frozenset[str]:
    """What may stay English on a page until the files that print it are translated."""
    if page_name in DJANGO_ADMIN_PAGES:
        return frozenset(NOT_YET_TRANSLATED | NOT_YET_TRANSLATED_IN_DJANGO_ADMIN)
    if page_name.startswith("instructor "):
        return frozenset(NOT_YET_TRANSLATED)
    return frozenset()


def assert_translated(pages: dict[str, str]):
    leftovers = {
        name: untranslated(page_text(html), allowed=allowed(name)) for name, html in pages.items()
    }
    leftovers = {name: pieces for name, pieces in leftovers.items() if pieces}
    assert not leftovers, "English left untranslated:\n" + "\n".join(
        f"  {name}: {pieces}" for name, pieces in leftovers.items()
    )


def get(client, url) -> str:
    response = client.get(url, follow=True)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.content.decode()


def post(client, url, data, status=200) -> str:
    response = client.post(url, data, follow=True)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_it_leaves_no_untranslatable_english_on_any_page(client, world, pseudo_locale):
    pages = {}
    for name, url in public_pages(world):
        pages[f"anonymous {name}"] = get(client, url)
    pages["sign-up with errors"] = post(
        client, reverse("accounts:signup"), {"email": "alice@example.com", "full_name": " "}
    )
    pages["login refused"] = post(
        client, reverse("login"), {"username": "alice@example.com", "password": "wrong"}
    )
    for _failure in range(4):
        post(client, reverse("login"), {"username": "bob@example.com", "password": "wrong"})
    pages["login locked out"] = post(
        client,
        reverse("login"),
        {"username": "bob@example.com", "password": "wrong"},
        status=429,
    )

    client.force_login(world["record"].trainee)
    for name, url in trainee_pages(world):
        pages[f"trainee {name}"] = get(client, url)
    pages["profile saved"] = post(
        client, reverse("accounts:profile"), {"full_name": wrap("Alice"), "job_title": ""}
    )
    pages["profile with errors"] = post(client, reverse("accounts:profile"), {"full_name": " "})
    pages["password change with errors"] = post(
        client,
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a", "new_password2": "b"},
    )
    pages["start refused"] = post(client, reverse("quizzes:start", args=["limited"]), {})
    pages["submitted"] = post(client, reverse("quizzes:submit", args=[world["timed"].pk]), {})
    pages["submitted twice"] = post(client, reverse("quizzes:submit", args=[world["timed"].pk]), {})
    # Practice shows its items (a failed result's answers, the review, a checked answer) and can
    # be submitted only once the certification attempt is closed.
    pages["trainee result, failed"] = get(
        client, reverse("quizzes:result", args=[world["failed"].pk])
    )
    in_progress = world["in_progress"]
    pages["trainee review, unanswered"] = get(
        client, reverse("quizzes:review", args=[in_progress.pk])
    )
    pages["practice answer checked"] = post(
        client,
        reverse("quizzes:question", args=[in_progress.pk, 3]),
        {"go": "check", "choice": "1"},
    )
    pages["submit with questions unanswered"] = post(
        client, reverse("quizzes:submit", args=[in_progress.pk]), {}
    )
    pages["logged out"] = post(client, reverse("logout"), {})

    client.force_login(world["revoked_record"].revoked_by)
    for name, url in instructor_pages(world):
        pages[f"instructor {name}"] = get(client, url)
    upload = SimpleUploadedFile("«bank.gift»", GIFT_FILE, content_type="text/plain")
    pages["instructor import preview"] = post(
        client, reverse("admin:quizzes_question_import"), {"file": upload}
    )
    pages["instructor import refused"] = post(
        client,
        reverse("admin:quizzes_question_import"),
        {"file": SimpleUploadedFile("bank.gift", b"\xff\xfe\x00\x00")},
    )
    applied = BankImport.objects.get()
    pages["instructor import done"] = post(
        client, reverse("admin:quizzes_question_import_preview", args=[applied.pk]), {}
    )
    pages["instructor import applied"] = get(
        client, reverse("admin:quizzes_question_import_preview", args=[applied.pk])
    )
    records = CompletionRecord.objects.order_by("pk")
    pages["instructor revoke"] = post(
        client,
        reverse("admin:quizzes_completionrecord_changelist"),
        {"action": "revoke", "_selected_action": [r.pk for r in records]},
    )

    assert len(pages) > 50
    for name, markup in SHOWN_ON.items():
        assert markup in pages[name], f"{name} does not show {markup}: the test data is off"
    assert_translated(pages)


def test_it_translates_every_email(client, world, pseudo_locale):
    from quizzes.emails import send_expiry_reminder, send_instructor_digest

    for days in (1, 7):
        send_expiry_reminder(world["expiring_record"], days)
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    send_instructor_digest(
        ["ines@example.com"], [world["expiring_record"]], [world["expired_record"]]
    )
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        pieces = [message.subject, *message.body.splitlines()]
        for content, _mimetype in message.alternatives:
            pieces += page_text(content)
        assert LEFT in message.subject
        assert not untranslated(pieces), (message.subject, untranslated(pieces))


def test_it_translates_the_certificates_printed_labels(world, pseudo_locale):
    import pypdf

    from quizzes.certificates import certificate_pdf

    now = timezone.now()
    for record in (world["record"], world["expired_record"]):
        record = CompletionRecord.objects.with_status(now).get(pk=record.pk)
        pdf = certificate_pdf(record)
        text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert LEFT in text
        assert not untranslated([text]), untranslated([text])


def test_the_pseudo_language_marks_everything_that_goes_through_gettext(pseudo_locale):
    """The check itself: tags, plural forms, contexts, lazy strings and dates all get marks."""
    from django.template import engines
    from django.utils.dateformat import format as format_date
    from django.utils.translation import gettext_lazy, npgettext, pgettext

    template = engines["django"].from_string(
        "{% load i18n %}{% translate 'Hello' %} {% translate 'Main' context 'landmark' %} "
        "{% blocktranslate trimmed count n=2 %}{{ n }} day{% plural %}{{ n }} days"
        "{% endblocktranslate %}"
    )
    assert template.render({}) == "⟪Hello⟫ ⟪Main⟫ ⟪2 days⟫"
    # Messages passed as variables, so that makemessages leaves them out of the catalogue.
    context, singular, plural = "quiz", "%(n)d try", "%(n)d tries"
    assert pgettext(context, singular) == "⟪%(n)d try⟫"
    assert npgettext(context, singular, plural, 2) == "⟪%(n)d tries⟫"
    assert str(gettext_lazy(singular)) == "⟪%(n)d try⟫"
    assert format_date(timezone.now().replace(month=5, day=1), "F") == "⟪May⟫"


def test_the_check_reports_only_english_outside_the_marks():
    assert untranslated(["⟪Hello «Alice»⟫ 12 «data» — bob@example.com"]) == []
    assert untranslated(["⟪Outer ⟪inner⟫ text⟫ «x»"]) == []
    assert untranslated(["Hello ⟪world⟫", "«Bob» says hi"]) == ["Hello", "says hi"]
    html = (
        '<p>⟪Download<span> the file</span>⟫</p><img alt="Logo"><script>var x = "Ignored";</script>'
    )
    assert untranslated(page_text(html)) == ["Logo"]
    html = '<div data-seconds="60" data-time-up="Time is up" data-gone="⟪Gone⟫"></div>'
    assert untranslated(page_text(html)) == ["Time is up"]
    assert untranslated(["Quizzes"], allowed=frozenset({"Quizzes"})) == []


def test_a_verification_code_without_a_digit_is_not_taken_for_english():
    assert untranslated(["⟪Code⟫ SMP-TDGN-KJAG-FWEM", "SMP-TDGN-KJAG-FWEM"]) == []
