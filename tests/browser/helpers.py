"""What the browser journeys share: the words people read in their language,
the steps every journey takes, and the data they start from (made with the
factories and the marketplace services, so matching runs as in production:
eager Celery tasks after each commit)."""

import re

from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts.choices import Role
from accounts.models import Membership
from marketplace.services.listings import listing_create, listing_transition
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


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


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
    listing_transition(model=model, pk=listing.pk, action="submit", user=membership.user, membership=membership)
    return listing


def publish(model, pk: int, moderator) -> None:
    """The moderator's decision, through the same service as Django admin's
    Publish action (the admin journey does it in the admin itself)."""
    listing_transition(model=model, pk=pk, action="publish", user=moderator)
