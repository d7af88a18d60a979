"""What the browser journeys share: the words people read in their language,
the steps every journey takes, and the data they start from (made with the
factories and the marketplace services, so matching runs as in production:
eager Celery tasks after each commit)."""

import re
import time
from urllib.parse import urlsplit

import pyotp
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts import two_factor
from accounts.choices import Role
from accounts.models import Membership, TwoFactorAuthenticator
from marketplace.services.listing_transitions import listing_publish, listing_submit
from marketplace.services.listings import listing_create
from tests.accounts.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory, PlatformFactory
from tests.marketplace.factories import capability_fields as shared_capability_fields

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
LANGUAGES = ("en", "zh-hans")
# Accept-Language of a browser set up in each language.
BROWSER_LOCALES = {"en": "en-GB", "zh-hans": "zh-CN"}
PASSWORD = TEST_PASSWORD


# What people read, in their language.


def tr(language: str, message: str, **params) -> str:
    """``message`` as the catalogue translates it into ``language``. A
    message without a translation fails here: a journey that finds the
    English words on a Chinese page must not pass."""
    with translation.override(language):
        text = translation.gettext(message)
    if language != "en":
        assert text != message, f"no {language} translation for {message!r}"
    return text % params if params else text


def trn(language: str, singular: str, plural: str, number: int, **params) -> str:
    with translation.override(language):
        text = translation.ngettext(singular, plural, number)
    if language != "en":
        assert text not in (singular, plural), f"no {language} translation for {singular!r}"
    return text % params


# Steps that every journey takes.


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)


def choose_language(page: Page, language: str) -> None:
    """The footer's language switch."""
    form = page.locator("footer form.language-form")
    form.locator("select").select_option(language)
    form.locator("button[type=submit]").click()
    expect_language(page, language)


def _path(url: str) -> str:
    return urlsplit(url).path


def current_code(email: str) -> str:
    """The code the person's authenticator app shows now, as their phone
    would compute it. A code is accepted once, so when this minute's code
    was used already (the same person signing in twice in a test) it is the
    next step's code, which the server takes as clock drift; past that it
    waits for the step to come round."""
    authenticator = TwoFactorAuthenticator.objects.get(user__email=email)
    now = int(time.time()) // two_factor.STEP_SECONDS
    step = max(now, authenticator.last_used_step + 1)
    if step > now + two_factor.DRIFT_STEPS:
        time.sleep((step - two_factor.DRIFT_STEPS) * two_factor.STEP_SECONDS - time.time() + 0.1)
    return pyotp.TOTP(authenticator.secret).generate_otp(step)


SIGN_IN_PAGES = ("/accounts/login/", "/admin/login/")


def log_in(page: Page, email: str, password: str = PASSWORD, *, at: str = "/accounts/login/") -> None:
    """Sign in as a person does, on the site's sign-in page or where ``at``
    leads (``/admin/``: the admin's). With two-factor authentication on,
    type the code from their authenticator; when they must have it and have
    not (platform owners, staff), set it up on the way, reading the key from
    the page as an app would from the QR code."""
    page.goto(at)
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()
    page.wait_for_url(lambda url: _path(url) not in SIGN_IN_PAGES)
    if _path(page.url) == "/accounts/login/setup/":
        secret = page.locator("[data-totp-secret]").text_content().replace(" ", "")
        code = pyotp.TOTP(secret).now()
        page.locator("main form input[name=code]").fill(code)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/accounts/two-factor/recovery-codes/$"))
        page.locator("main a.button").click()
    elif _path(page.url) == "/accounts/login/code/":
        page.locator("main form input[name=code]").fill(current_code(email))
        page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/(accounts/login|accounts/two-factor|admin/login)/"))


def log_out(page: Page) -> None:
    """The header's account menu, then Log out."""
    menu = page.locator("header details.org-menu")
    menu.locator("summary").click()
    menu.locator("form button[type=submit]").click()
    expect(page.locator("header .account-nav a[href='/accounts/login/']")).to_be_visible()


def expect_no_horizontal_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px: {scroll_width}px wide"


def id_from_url(page: Page, pattern: str) -> int:
    match = re.search(pattern, page.url)
    assert match, f"{page.url} does not match {pattern}"
    return int(match.group(1))


# Data.


def member(email: str, organization, *, language: str, role: str = Role.OWNER, name: str = "") -> Membership:
    return MembershipFactory(
        user__email=email,
        user__display_name=name or email.split("@")[0].title(),
        user__preferred_language=language,
        organization=organization,
        role=role,
    )


def verified_platform(legal_name: str):
    return PlatformFactory(legal_name=legal_name, verified_at=timezone.now())


def sme(legal_name: str):
    return OrganizationFactory(legal_name=legal_name)


def capability_fields(**overrides) -> dict:
    """The shared invoice OCR capability, with a bilingual title and summary."""
    return shared_capability_fields(
        **{
            "title": "增值税发票 OCR 识别接口 Invoice OCR API",
            "summary": "Reads VAT invoices into structured fields. 识别增值税发票。",
            "application_question": "",
            "terms_text": "",
            **overrides,
        }
    )


def submit(model, membership: Membership, fields: dict, tags=()):
    """Create a listing and submit it for review, as its owner would."""
    listing = listing_create(model=model, membership=membership, fields=fields, tag_names=list(tags))
    listing_submit(listing=listing, membership=membership)
    return listing


def publish(model, pk: int, moderator) -> None:
    """The moderator's decision, through the same service as Django admin's
    Publish action (the admin journey does it in the admin itself)."""
    listing_publish(listing=model.objects.get(pk=pk), user=moderator)
