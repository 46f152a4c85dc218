"""Read question banks (our JSON, Moodle's GIFT) into a plan, show it, then apply it at once.

Reading checks everything (file, shape, every validation rule of every question) before anything
is written; applying is one transaction, so a file is imported whole or not at all.
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from . import audit
from .gift import GiftError, parse_gift
from .models import (
    ILLUSTRATION_NAME,
    ILLUSTRATIONS,
    BankImport,
    Choice,
    ChoiceDraft,
    Question,
    Topic,
)
from .textfiles import TextFileError, decode_text_file


class ImportRejected(Exception):
    """The file cannot be imported; the message names the problem and, where known, the line."""


# The kinds of GIFT question we skip, as the parser names them.
SKIPPED_KIND_NAMES = {
    "essay": pgettext_lazy("GIFT question kind", "essay"),
    "matching": pgettext_lazy("GIFT question kind", "matching"),
    "numerical": pgettext_lazy("GIFT question kind", "numerical"),
    "short answer": pgettext_lazy("GIFT question kind", "short answer"),
    "missing word": pgettext_lazy("GIFT question kind", "missing word"),
    "description": pgettext_lazy("GIFT question kind", "description"),
}


@dataclass
class ChoiceRow:
    text: str
    is_correct: bool
    feedback: str = ""


@dataclass
class TopicRow:
    slug: str
    name: str
    order: int = 0
    study_notes: str = ""
    referral_notes: str = ""

    def to_topic(self) -> Topic:
        return Topic(
            slug=self.slug,
            name=self.name,
            order=self.order,
            study_notes=self.study_notes,
            referral_notes=self.referral_notes,
        )


@dataclass
class QuestionRow:
    where: str  # "Line 12" or "topics[0].questions[3]": how error messages name the question
    topic_slug: str
    key: str
    kind: str
    prompt: str
    explanation: str
    source_section: str
    active: bool
    choices: list[ChoiceRow]
    source_document: str = ""
    usage: str = Question.Usage.BOTH
    critical: bool = False
    image: str = ""  # a file name in the storage's illustrations folder
    image_alt: str = ""
    topic_name: str = ""  # for the preview: filled by compare_with_database()

    @property
    def kind_label(self) -> str:
        """The kind in words, as the question list's filter names it."""
        if self.kind in Question.Kind.values:
            return Question.Kind(self.kind).label
        return self.kind

    def to_question(self, topic: Topic | None = None) -> Question:
        return Question(
            topic=topic,
            key=self.key,
            kind=self.kind,
            prompt=self.prompt,
            explanation=self.explanation,
            source_document=self.source_document,
            source_section=self.source_section,
            usage=self.usage,
            critical=self.critical,
            image=f"{ILLUSTRATIONS}{self.image}" if self.image else "",
            image_alt=self.image_alt,
            active=self.active,
        )

    def choices_of(self, question: Question) -> list[Choice]:
        return [
            Choice(
                question=question,
                text=c.text,
                is_correct=c.is_correct,
                feedback=c.feedback,
                order=n,
            )
            for n, c in enumerate(self.choices, start=1)
        ]


@dataclass
class ImportPlan:
    topics: list[TopicRow] = field(default_factory=list)
    questions: list[QuestionRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unsupported GIFT kinds, "Line 9: essay"
    # Filled by compare_with_database():
    new_topics: list[TopicRow] = field(default_factory=list)
    new_questions: list[QuestionRow] = field(default_factory=list)
    existing_keys: list[str] = field(default_factory=list)

    @property
    def inactive_without_explanation(self) -> list[QuestionRow]:
        return [q for q in self.new_questions if not q.active and not q.explanation]

    def as_json(self) -> dict:
        """What was read from the file, for BankImport.plan (the split is redone on reading)."""
        return {
            "topics": [asdict(t) for t in self.topics],
            "questions": [asdict(q) for q in self.questions],
            "skipped": self.skipped,
        }

    @classmethod
    def from_json(cls, data: dict) -> "ImportPlan":
        return cls(
            topics=[TopicRow(**t) for t in data["topics"]],
            questions=[
                QuestionRow(**{**q, "choices": [ChoiceRow(**c) for c in q["choices"]]})
                for q in data["questions"]
            ],
            skipped=data["skipped"],
        )


def check_file_bytes(data: bytes) -> str:
    """Return the file's text, or reject it as `decode_text_file` says."""
    try:
        return decode_text_file(data)
    except TextFileError as error:
        raise ImportRejected(str(error)) from None


# --- JSON -------------------------------------------------------------------------------------


def _require(obj, name: str, kind, where: str, *, default=None):
    # `where` is a place in the file ("topics[0]") and `name` a key of it: both stay as written.
    if name not in obj:
        if default is not None:
            return default
        raise ImportRejected(
            _("%(where)s: '%(name)s' is missing.") % {"where": where, "name": name}
        )
    value = obj[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = {
            str: _("text"),
            bool: _("true or false"),
            int: _("a whole number"),
            list: _("a list"),
        }
        raise ImportRejected(
            _("%(where)s: '%(name)s' must be %(expected)s.")
            % {"where": where, "name": name, "expected": expected.get(kind, kind.__name__)}
        )
    if kind is str and "\x00" in value:
        raise ImportRejected(
            _("%(where)s: '%(name)s' contains a NUL character, which text cannot hold.")
            % {"where": where, "name": name}
        )
    if kind is int and not 0 <= value <= 32767:
        raise ImportRejected(
            _("%(where)s: '%(name)s' must be between %(low)d and %(high)d.")
            % {"where": where, "name": name, "low": 0, "high": 32767}
        )
    return value


def read_json_bank(data: bytes) -> ImportPlan:
    """Parse and validate a bank in export_bank's JSON shape; reject the whole file on a fault."""
    plan = parse_json_bank(data)
    _validate(plan)
    return plan


def parse_json_bank(data: bytes) -> ImportPlan:
    """Read the file's topics and questions, checking its shape only (no database)."""
    text = check_file_bytes(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        # error.msg is Python's own English description of the fault.
        raise ImportRejected(
            _("Line %(line)d: this is not valid JSON (%(reason)s).")
            % {"line": error.lineno, "reason": error.msg}
        ) from None
    except (ValueError, RecursionError):
        # Numbers of thousands of digits, or lists nested thousands deep: no bank looks like it.
        raise ImportRejected(
            _(
                "This is not a question bank: the JSON is nested too deep or holds a number too "
                "long to read."
            )
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("topics"), list):
        raise ImportRejected(_('The file must be a JSON object with a "topics" list.'))
    plan = ImportPlan()
    for t, topic in enumerate(document["topics"]):
        where = f"topics[{t}]"
        if not isinstance(topic, dict):
            raise ImportRejected(
                _("%(where)s: each topic must be a JSON object.") % {"where": where}
            )
        row = TopicRow(
            slug=_require(topic, "slug", str, where).strip(),
            name=_require(topic, "name", str, where).strip(),
            order=_require(topic, "order", int, where, default=t + 1),
            study_notes=_require(topic, "study_notes", str, where, default="").strip(),
            referral_notes=_require(topic, "referral_notes", str, where, default="").strip(),
        )
        plan.topics.append(row)
        for q, question in enumerate(_require(topic, "questions", list, where, default=[])):
            qwhere = f"{where}.questions[{q}]"
            if not isinstance(question, dict):
                raise ImportRejected(
                    _("%(where)s: each question must be a JSON object.") % {"where": qwhere}
                )
            choices = []
            for c, choice in enumerate(_require(question, "choices", list, qwhere)):
                cwhere = f"{qwhere}.choices[{c}]"
                if not isinstance(choice, dict):
                    raise ImportRejected(
                        _("%(where)s: each choice must be a JSON object.") % {"where": cwhere}
                    )
                choices.append(
                    ChoiceRow(
                        text=_require(choice, "text", str, cwhere).strip(),
                        is_correct=_require(choice, "correct", bool, cwhere),
                        feedback=_require(choice, "feedback", str, cwhere, default="").strip(),
                    )
                )
            plan.questions.append(
                QuestionRow(
                    where=f"{qwhere} ({question.get('key', _('no key'))})",
                    topic_slug=row.slug,
                    key=_require(question, "key", str, qwhere).strip(),
                    kind=_require(question, "kind", str, qwhere),
                    prompt=_require(question, "prompt", str, qwhere).strip(),
                    explanation=_require(question, "explanation", str, qwhere, default="").strip(),
                    source_section=_require(
                        question, "source_section", str, qwhere, default=""
                    ).strip(),
                    active=_require(question, "active", bool, qwhere, default=False),
                    choices=choices,
                    source_document=_require(
                        question, "source_document", str, qwhere, default=""
                    ).strip(),
                    usage=_require(question, "usage", str, qwhere, default=Question.Usage.BOTH),
                    critical=_require(question, "critical", bool, qwhere, default=False),
                    image=_require(question, "image", str, qwhere, default="").strip(),
                    image_alt=_require(question, "image_alt", str, qwhere, default="").strip(),
                )
            )
    return plan


# --- GIFT -------------------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def read_gift_bank(data: bytes, *, topic: Topic | None = None) -> ImportPlan:
    """Parse and validate a GIFT file; $CATEGORY's last segment names the topic unless given."""
    try:
        parsed = parse_gift(data)
    except GiftError as error:
        raise ImportRejected(str(error)) from None
    plan = ImportPlan(
        skipped=[
            _("Line %(line)d: %(kind)s")
            % {"line": s.line, "kind": SKIPPED_KIND_NAMES.get(s.kind, s.kind)}
            for s in parsed.skipped
        ]
    )
    topics: dict[str, TopicRow] = {}
    if topic is not None:
        topics[topic.slug] = TopicRow(topic.slug, topic.name, topic.order, topic.study_notes)
    for question in parsed.questions:
        where = _("Line %(line)d") % {"line": question.line}
        if topic is not None:
            topic_slug = topic.slug
        elif question.category:
            topic_slug = slugify(question.category)[:80]
            if not topic_slug:
                raise ImportRejected(
                    _("%(where)s: the category %(category)s has no usable name.")
                    % {"where": where, "category": repr(question.category)}
                )
            topics.setdefault(topic_slug, TopicRow(topic_slug, question.category.strip()))
        else:
            raise ImportRejected(
                _("%(where)s: this question has no $CATEGORY; choose the topic to import it into.")
                % {"where": where}
            )
        key = slugify(question.title)[:80] if question.title else ""
        plan.questions.append(
            QuestionRow(
                where=where,
                topic_slug=topic_slug,
                key=key or f"gift-{_short_hash(question.prompt)}",
                kind=question.kind,
                prompt=question.prompt.strip(),
                explanation=question.general_feedback.strip(),
                source_section=question.source.strip(),
                active=bool(question.general_feedback.strip()),
                choices=[
                    ChoiceRow(c.text.strip(), c.fraction > 0, c.feedback.strip())
                    for c in question.choices
                ],
            )
        )
    plan.topics = list(topics.values())
    _resolve_existing_topics(plan)
    _make_gift_keys_unique(plan)
    _validate(plan)
    return plan


def _resolve_existing_topics(plan: ImportPlan) -> None:
    """Map a GIFT category to an existing topic of the same name, whatever its slug."""
    by_name = {t.name.lower(): t for t in Topic.objects.all()}
    renamed = {}
    for row in plan.topics:
        existing = by_name.get(row.name.lower())
        if existing and existing.slug != row.slug:
            renamed[row.slug] = existing.slug
            row.slug = existing.slug
    for question in plan.questions:
        question.topic_slug = renamed.get(question.topic_slug, question.topic_slug)


def _make_gift_keys_unique(plan: ImportPlan) -> None:
    """GIFT titles are not unique ids: a title already used for another prompt gets a suffix.

    The same title with the same prompt is the same question, so importing a file twice adds
    nothing.
    """
    stored = dict(
        Question.objects.filter(key__in=[q.key for q in plan.questions]).values_list(
            "key", "prompt"
        )
    )
    seen: dict[str, str] = {}
    for question in plan.questions:
        taken = {**stored, **seen}
        if question.key in taken and taken[question.key] != question.prompt:
            question.key = f"{question.key[:80]}-{_short_hash(question.prompt)}"
        seen[question.key] = question.prompt


# --- Shared validation and applying -----------------------------------------------------------


def _validate(plan: ImportPlan) -> None:
    """Apply the model's own rules to every topic and question; reject on the first fault."""
    seen_slugs = set()
    for row in plan.topics:
        if row.slug in seen_slugs:
            raise ImportRejected(_("The topic %(slug)s appears twice.") % {"slug": repr(row.slug)})
        seen_slugs.add(row.slug)
        try:
            row.to_topic().full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise ImportRejected(
                _("Topic %(slug)s: %(problems)s")
                % {"slug": repr(row.slug), "problems": _messages(error)}
            ) from None
    seen_keys = set()
    for row in plan.questions:
        if row.key in seen_keys:
            raise ImportRejected(
                _("%(where)s: the key %(key)s is used twice in this file.")
                % {"where": row.where, "key": repr(row.key)}
            )
        seen_keys.add(row.key)
        question = row.to_question()
        if row.image and not ILLUSTRATION_NAME.fullmatch(question.image.name):
            raise ImportRejected(
                _("%(where)s: %(name)r is not the file name of a picture.")
                % {"where": row.where, "name": row.image}
            )
        if row.image and not default_storage.exists(question.image.name):
            raise ImportRejected(
                _(
                    "%(where)s: the illustration %(file)s is not in the storage's "
                    "illustrations folder; upload it with a question first."
                )
                % {"where": row.where, "file": repr(row.image)}
            )
        try:
            question.full_clean(
                exclude=["topic"], validate_unique=False, validate_constraints=False
            )
            question.validate_choices([ChoiceDraft(c.text, c.is_correct) for c in row.choices])
        except ValidationError as error:
            raise ImportRejected(
                _("%(where)s: %(problems)s") % {"where": row.where, "problems": _messages(error)}
            ) from None
    compare_with_database(plan)


def _messages(error: ValidationError) -> str:
    # A field's name is the key the JSON file uses for it, so it stays as written.
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def compare_with_database(plan: ImportPlan) -> None:
    """Split the plan into what is new and what the bank already holds (left unchanged)."""
    existing_topics = dict(
        Topic.objects.filter(slug__in=[t.slug for t in plan.topics]).values_list("slug", "name")
    )
    topic_slugs = set(existing_topics)
    topic_names = {
        name.lower(): slug
        for name, slug in Topic.objects.filter(name__in=[t.name for t in plan.topics]).values_list(
            "name", "slug"
        )
    }
    plan.new_topics = []
    for row in plan.topics:
        if row.slug in topic_slugs:
            continue
        if row.name.lower() in topic_names:
            raise ImportRejected(
                _("Topic %(slug)s: the name %(name)s belongs to the existing topic %(existing)s.")
                % {
                    "slug": repr(row.slug),
                    "name": repr(row.name),
                    "existing": repr(topic_names[row.name.lower()]),
                }
            )
        plan.new_topics.append(row)
    existing = set(
        Question.objects.filter(key__in=[q.key for q in plan.questions]).values_list(
            "key", flat=True
        )
    )
    plan.new_questions = [q for q in plan.questions if q.key not in existing]
    # The preview names each question's topic as the bank knows it, or as the file names it.
    names = {t.slug: t.name for t in plan.topics} | existing_topics
    for question in plan.questions:
        question.topic_name = names.get(question.topic_slug, question.topic_slug)
    plan.existing_keys = [q.key for q in plan.questions if q.key in existing]


@dataclass
class ImportResult:
    topics_created: int
    questions_created: int
    questions_unchanged: int
    inactive_keys: list[str]
    skipped: list[str]


def read_upload(upload: BankImport) -> ImportPlan:
    """Parse and validate an uploaded file, and keep the result with the upload (unsaved).

    Call once, when the file arrives; later views read `stored_plan`.
    """
    if upload.format == BankImport.Format.JSON:
        plan = read_json_bank(bytes(upload.content))
    else:
        plan = read_gift_bank(bytes(upload.content), topic=upload.topic)
    upload.plan = plan.as_json()
    return plan


def stored_plan(upload: BankImport) -> ImportPlan:
    """The upload's plan as read when it arrived, split again against today's bank.

    Costs two queries (compare_with_database), whatever the file's size. An upload made before
    plans were kept is read once now and its plan saved.
    """
    if upload.plan is None:
        plan = read_upload(upload)
        BankImport.objects.filter(pk=upload.pk).update(plan=upload.plan)
        return plan
    plan = ImportPlan.from_json(upload.plan)
    compare_with_database(plan)
    return plan


@transaction.atomic
def apply_upload(*, upload_id: int, actor, now) -> ImportResult | None:
    """Apply an uploaded file once: claim it, re-read it, write its plan and the audit row.

    Returns None when the upload was applied already (a double click, a second tab). Raises
    ImportRejected when the bank changed since the preview so that the plan no longer fits;
    then nothing is written, the claim included.
    """
    claimed = BankImport.objects.filter(pk=upload_id, applied_at=None).update(applied_at=now)
    if not claimed:
        return None
    upload = BankImport.objects.select_related("topic").get(pk=upload_id)
    try:
        return apply_plan(stored_plan(upload), actor=actor, source=upload.file_name)
    except IntegrityError as error:  # a question or topic created meanwhile
        raise ImportRejected(str(error)) from None


@transaction.atomic
def apply_plan(plan: ImportPlan, *, actor=None, source: str = "") -> ImportResult:
    """Create the plan's new topics and questions in one transaction; existing keys stay as is.

    Re-checks against the database inside the transaction, so a question created meanwhile is
    left alone rather than duplicated. Costs a fixed number of queries (bulk inserts).
    """
    compare_with_database(plan)
    Topic.objects.bulk_create([t.to_topic() for t in plan.new_topics])
    topics = {
        t.slug: t for t in Topic.objects.filter(slug__in={q.topic_slug for q in plan.new_questions})
    }
    questions = Question.objects.bulk_create(
        [row.to_question(topics[row.topic_slug]) for row in plan.new_questions]
    )
    Choice.objects.bulk_create(
        [
            choice
            for question, row in zip(questions, plan.new_questions, strict=True)
            for choice in row.choices_of(question)
        ]
    )
    result = ImportResult(
        topics_created=len(plan.new_topics),
        questions_created=len(plan.new_questions),
        questions_unchanged=len(plan.existing_keys),
        inactive_keys=[q.key for q in plan.inactive_without_explanation],
        skipped=plan.skipped,
    )
    audit.log_action(
        actor=actor,
        action="quizzes.bank.imported",
        object_repr=source,
        after={"questions": [q.key for q in plan.new_questions]},
        data={
            "topics_created": result.topics_created,
            "questions_created": result.questions_created,
            "questions_unchanged": result.questions_unchanged,
            "inactive_keys": result.inactive_keys,
            "skipped": result.skipped,
        },
    )
    return result
