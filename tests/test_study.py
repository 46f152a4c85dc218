import pytest
from django.urls import reverse

from quizzes.models import Question, Topic


@pytest.fixture
def topic(db):
    topic = Topic.objects.create(
        name="Blue discoloration",
        slug="blue-discoloration",
        study_notes="Tattoo ink placed too deep turns blue.\n\nTrained artists use SMP pigment.",
    )
    Question.objects.create(topic=topic, key="b1", prompt="?", explanation="!", active=True)
    Question.objects.create(topic=topic, key="b2", prompt="?", active=False)
    return topic


def test_study_pages_send_anonymous_visitors_to_login(client, topic):
    for url in (reverse("quizzes:topic_list"), reverse("quizzes:topic_detail", args=[topic.slug])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_topic_list_counts_active_questions(alice_client, topic):
    html = alice_client.get(reverse("quizzes:topic_list")).content.decode()
    assert "Blue discoloration" in html
    assert "1 question<" in html


def test_a_topic_shows_its_study_notes_in_paragraphs(alice_client, topic):
    html = alice_client.get(reverse("quizzes:topic_detail", args=[topic.slug])).content.decode()
    assert "<p>Tattoo ink placed too deep turns blue.</p>" in html
    assert "<p>Trained artists use SMP pigment.</p>" in html


def test_an_unknown_topic_is_a_404(alice_client, db):
    assert alice_client.get(reverse("quizzes:topic_detail", args=["nope"])).status_code == 404


def test_a_topic_links_to_its_practice_quiz(alice_client, topic):
    from quizzes.models import DrawRule, Quiz

    quiz = Quiz.objects.create(title="Practice: Blue", slug="practice-blue", published=True)
    DrawRule.objects.create(quiz=quiz, topic=topic, count=1)
    html = alice_client.get(reverse("quizzes:topic_detail", args=[topic.slug])).content.decode()
    assert reverse("quizzes:quiz_detail", args=["practice-blue"]) in html
