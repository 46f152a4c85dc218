import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse to run
# there (in the test and in live_server's teardown). Set before anything imports Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(email, full_name, password=PASSWORD, **extra):
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
