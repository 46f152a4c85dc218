"""Playwright drives Debian's Chromium; axe-core checks every page a browser test visits."""

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = "/usr/bin/chromium"
AXE = Axe()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--disable-gpu", "--disable-quic", "--disable-component-update", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "reduced_motion": "reduce"}


@pytest.fixture
def audit(page):
    """Return a function that runs axe on the current page and fails on any violation.

    Every page that loads during the test must have been audited, and nothing may have been
    blocked by the Content-Security-Policy, or the test fails at the end.
    """
    page.set_default_timeout(10_000)
    loaded: list[str] = []
    audited: set[str] = set()
    blocked: list[str] = []
    page.on("load", lambda p: loaded.append(p.url))
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def run():
        page.wait_for_load_state()
        results = AXE.run(page)
        assert results.violations_count == 0, results.generate_report()
        audited.add(page.url)

    yield run
    missed = sorted({url for url in loaded if url not in audited})
    assert not missed, f"Pages visited without an accessibility check: {missed}"
    assert not blocked, f"The Content-Security-Policy blocked: {blocked}"


@pytest.fixture(scope="session")
def _migration_data(django_db_setup):
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _keep_migration_data(_migration_data, django_db_serialized_rollback):
    """Restore what migrations made (the Instructors group) after live-server tests flush.

    Playwright's event loop gives this thread a fresh connection object, which has lost the
    serialized data Django restores from; hand it back.
    """
    from django.db import connection

    if _migration_data is not None:
        connection._test_serialized_contents = _migration_data
