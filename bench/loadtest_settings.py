"""The production settings, with one change for the load test (bench/loadtest.py).

Passwords use a fast hash: the accounts are prepared in bulk and the test measures the site's
pages, not PBKDF2, which is slow on purpose (hundreds of milliseconds of CPU a login, as it
should be) and would make 200 logins on 2 cores the whole story.
"""

from smptraining.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
