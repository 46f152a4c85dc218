import re

from playwright.sync_api import expect

from accounts.models import User
from tests.conftest import PASSWORD


def test_sign_up_log_in_edit_profile_and_log_out(live_server, page, audit, db):
    page.goto(live_server.url)
    audit()
    page.get_by_role("link", name="Sign up").first.click()
    audit()
    page.get_by_label("Email address").fill("dana@example.com")
    page.get_by_label("Full name").fill("Dana Díaz")
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    audit()

    page.locator("main").get_by_role("link", name="log in").click()
    audit()
    page.get_by_label("Email address").fill("DANA@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Welcome", exact=True)).to_be_visible()
    expect(page.locator("main").get_by_text("Dana Díaz")).to_have_count(1)
    audit()

    page.get_by_role("link", name="Dana Díaz").click()
    audit()
    page.get_by_label("Full name").fill("Dana M. Díaz")
    page.get_by_label("Job title").fill("SMP artist")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    audit()
    assert User.objects.get(email="dana@example.com").full_name == "Dana M. Díaz"

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign up").first).to_be_visible()
    audit()


def test_a_wrong_password_shows_an_error(live_server, page, audit, alice):
    page.goto(f"{live_server.url}/accounts/login/")
    audit()
    page.get_by_label("Email address").fill(alice.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Please enter a correct email address and password")).to_be_visible()
    audit()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_the_stylesheet_is_served_and_the_layout_fits_a_phone(live_server, page, audit, db):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url)
    audit()
    # Bootstrap's .btn-primary background proves the stylesheet loaded from our own server.
    background = page.get_by_role("link", name="Sign up").last.evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(13, 110, 253)"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375


def test_the_skip_link_is_the_first_stop_for_the_keyboard(live_server, page, audit, db):
    page.goto(live_server.url)
    audit()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_on_a_phone_the_links_sit_behind_a_menu_that_needs_no_script(live_server, browser, alice):
    from axe_playwright_python.sync_playwright import Axe

    for scripts in (False, True):
        context = browser.new_context(
            java_script_enabled=scripts, viewport={"width": 375, "height": 740}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email address").fill(alice.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        menu_link = page.locator("header").get_by_role("link", name="Quizzes", exact=True)
        expect(menu_link).to_be_hidden()
        page.get_by_text("Menu", exact=True).click()
        expect(menu_link).to_be_visible()
        if scripts:  # axe itself needs script
            assert Axe().run(page).violations_count == 0
        context.close()


def test_password_pages_and_logout_confirmation_are_accessible(live_server, page, audit, alice):
    page.goto(f"{live_server.url}/accounts/password_reset/")
    audit()
    page.get_by_label("Email").fill(alice.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    audit()

    page.goto(f"{live_server.url}/accounts/login/")
    audit()
    page.get_by_label("Email address").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    audit()
    page.goto(f"{live_server.url}/accounts/password_change/")
    audit()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^\s*New password\*?\s*$")).fill("a-brand-new-passphrase")
    page.get_by_label("New password confirmation").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    audit()

    page.goto(f"{live_server.url}/accounts/logout/")  # a link: asks, does not log out
    expect(page.get_by_role("heading", name="Log out")).to_be_visible()
    audit()
    page.locator("main").get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have been logged out.")).to_be_visible()
    audit()


def test_an_unknown_code_and_a_locked_login_explain_themselves(live_server, page, audit, alice):
    page.goto(f"{live_server.url}/verify/{'A' * 32}/")
    expect(page.get_by_role("heading", name="This verification code is not known")).to_be_visible()
    audit()
    page.goto(f"{live_server.url}/accounts/login/")
    audit()
    for _ in range(5):
        page.get_by_label("Email address").fill(alice.email)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        audit()
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
