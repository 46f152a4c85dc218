import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to run
# there (in the test and in live_server's teardown). Set before anything imports Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_template_fragments():
    """Each test renders the page chrome anew, as a newly started worker would, and finds no
    certificate this worker saw kept."""
    from django.core.cache import caches

    from quizzes import certificate_files

    caches["template_fragments"].clear()
    certificate_files._looked_after.clear()


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(email, full_name, password=PASSWORD, **extra):
        """A user whose email is verified unless email_verified_at=None is given."""
        from django.utils import timezone

        extra.setdefault("email_verified_at", timezone.now())
        return User.objects.create_user(email, password, full_name=full_name, **extra)

    return make


@pytest.fixture
def alice(make_user):
    """A trainee."""
    return make_user("alice@example.com", "Alice Adams", job_title="SMP practitioner")


@pytest.fixture
def bob(make_user):
    """Another trainee: alice's objects are none of his business."""
    return make_user("bob@example.com", "Bob Brown")


@pytest.fixture
def instructor(make_user):
    from accounts.instructors import make_instructor

    user = make_user("ines@example.com", "Ines Instructor")
    make_instructor(user)
    return user


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def quiz_factory(db):
    """Build a published quiz drawing `per_topic` questions from each of `topics` topics.

    Question i of topic t has choices "Right t.i" (correct) and "Wrong t.i a/b"; multiple-answer
    questions have two right choices. Every question explains itself with "Because t.i.".
    """
    from quizzes.models import Choice, DrawRule, Question, Quiz, Topic

    def make(
        topics=2, per_topic=5, slug="quiz", kinds=("single", "multiple", "true_false"), **quiz
    ):
        defaults = {
            "title": f"Quiz {slug}",
            "published": True,
            "shuffle_questions": False,
            "shuffle_choices": False,
            "pass_mark": 80,
        }
        created = Quiz.objects.create(slug=slug, **{**defaults, **quiz})
        for t in range(1, topics + 1):
            topic, _ = Topic.objects.get_or_create(
                slug=f"topic-{t}", defaults={"name": f"Topic {t}", "order": t}
            )
            questions = Question.objects.bulk_create(
                [
                    Question(
                        topic=topic,
                        key=f"{slug}-t{t}-q{i}",
                        kind=kinds[i % len(kinds)],
                        prompt=f"Prompt {t}.{i}?",
                        explanation=f"Because {t}.{i}.",
                        active=True,
                    )
                    for i in range(1, per_topic + 1)
                ]
            )
            choices = []
            for i, question in enumerate(questions, start=1):
                if question.kind == "true_false":
                    texts = [("True", True), ("False", False)]
                elif question.kind == "multiple":
                    texts = [
                        (f"Right {t}.{i}", True),
                        (f"Also right {t}.{i}", True),
                        (f"Wrong {t}.{i} a", False),
                        (f"Wrong {t}.{i} b", False),
                    ]
                else:
                    texts = [
                        (f"Right {t}.{i}", True),
                        (f"Wrong {t}.{i} a", False),
                        (f"Wrong {t}.{i} b", False),
                    ]
                choices += [
                    Choice(
                        question=question,
                        text=text,
                        is_correct=ok,
                        order=n,
                        feedback=f"Feedback {t}.{i}.{n}",
                    )
                    for n, (text, ok) in enumerate(texts)
                ]
            Choice.objects.bulk_create(choices)
            DrawRule.objects.create(quiz=created, topic=topic, count=per_topic)
        return created

    return make


def answer_all(attempt, *, right=True, skip=()):
    """Answer every drawn question of the attempt, rightly or wrongly, through the workflow."""
    from django.utils import timezone

    from quizzes.attempts import save_response

    for drawn in attempt.drawn.order_by("position"):
        if drawn.position in skip:
            continue
        if right:
            indexes = [i for i in range(len(drawn.choices)) if drawn.correct >> i & 1]
        else:
            indexes = [next(i for i in range(len(drawn.choices)) if not drawn.correct >> i & 1)]
        save_response(
            attempt=attempt,
            position=drawn.position,
            values=[str(drawn.display_order.index(i) + 1) for i in indexes],
            now=timezone.now(),
        )


# Shared by the record, status-list, verification and data tests; a module may define its own.
@pytest.fixture
def certification(quiz_factory):
    return quiz_factory(slug="cert", purpose="certification", title="SMP Safety Certification")


@pytest.fixture
def record(certification, alice):
    """Alice's completion record of `certification` (the module's own, if it has one)."""
    from quizzes.models import CompletionRecord

    pass_quiz(certification, alice)
    return CompletionRecord.objects.get()


def pass_quiz(quiz, trainee, now=None):
    from django.utils import timezone

    from quizzes.attempts import start_attempt, submit_attempt

    now = now or timezone.now()
    attempt = start_attempt(quiz=quiz, trainee=trainee, now=now)
    answer_all(attempt, right=True)
    return submit_attempt(attempt=attempt, now=now)


# The admin and audit tests' question: one topic, one single-answer question with two choices.
@pytest.fixture
def topic(db):
    from quizzes.models import Topic

    return Topic.objects.create(name="Hygiene", slug="hygiene", order=1)


@pytest.fixture
def question(topic):
    from quizzes.models import Question

    question = Question.objects.create(
        topic=topic,
        key="gloves-01",
        kind="single",
        prompt="When do you change gloves?",
        explanation="For every client. And after any break.",
        active=True,
    )
    question.choices.create(text="For every client", is_correct=True, order=1)
    question.choices.create(text="Once a day", is_correct=False, order=2)
    return question
