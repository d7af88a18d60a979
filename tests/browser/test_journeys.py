"""What people do on Tandem, end to end, in real Chromium, in English and in
Chinese: an SME from sign-up to a message on its application; a platform from
listing a capability to accepting an SME it invited; an admin moderating in
Django admin; the language switch; and the dashboards.

Each journey chooses its language as a person would (the footer's switch, or
the preferred language of their account, which logging in applies) and
asserts the words of that language, so a page in the wrong language fails.
Moderators' decisions that are not the journey's subject are taken through
the same service as Django admin's actions (the admin journey takes them in
the admin itself).
"""

import csv
import re
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import TwoFactorAuthenticator
from config.text import human_list
from marketplace.models import Capability, Need
from marketplace.services.application_transitions import application_accept, application_decline
from marketplace.services.applications import application_submit
from tests.accounts.factories import UserFactory, make_credit_code
from tests.browser.helpers import (
    DESKTOP,
    LANGUAGES,
    PASSWORD,
    PHONE,
    capability_fields,
    choose_language,
    expect_language,
    expect_no_horizontal_scroll,
    id_from_url,
    log_in,
    log_out,
    member,
    publish,
    sme,
    submit,
    tr,
    trn,
    verified_platform,
)
from tests.marketplace.factories import need_fields

pytestmark = pytest.mark.browser

OCR_QUESTION = "每月大约处理多少张发票？"
OCR_TERMS = "免费额度每月两千张。不得转售接口。"
SPEECH = {
    "title": "语音转写接口 Speech transcription API",
    "summary": "Turns calls into text. 通话转文字。",
    "description": "上传录音，返回文字。Upload a recording, get the text.",
}


def nav_link(page: Page, language: str, text: str, translate=tr):
    """A link of the main navigation; its name may go on (an unread count)."""
    nav = page.get_by_role("navigation", name=tr(language, "Main"))
    return nav.get_by_role("link", name=re.compile("^" + re.escape(translate(language, text))))


def staff_superuser(language: str, *, authenticator: bool = False):
    """A Django staff superuser (moderates, sees the ecosystem). Staff must
    use two-factor authentication: with ``authenticator`` they have set it
    up already; without, they set it up at their first sign-in."""
    user = UserFactory(
        email="admin@tandem.example",
        display_name="Admin",
        preferred_language=language,
        is_staff=True,
        is_superuser=True,
    )
    if authenticator:
        TwoFactorAuthenticator.objects.create(user=user, secret=pyotp.random_base32())
    return user


def one_listing_updated(language: str) -> str:
    return trn(
        language,
        "%(count)d listing updated; its owner was notified.",
        "%(count)d listings updated; their owners were notified.",
        1,
        count=1,
    )


def status_badge(page: Page):
    return page.locator("span.status").first


def expect_message(page: Page, text: str) -> None:
    """A confirmation in the page's message area."""
    expect(page.locator("ul.messages")).to_contain_text(text)


# 1. An SME signs up, posts a need in Chinese, applies to a recommended capability and writes.


@pytest.fixture
def catalogue(transactional_db, moderator):
    """What a verified platform has published before the SME arrives."""
    platform = verified_platform("Hangzhou Cloudbridge Technology Co., Ltd.")
    owner = member("wang.fang@cloudbridge.example", platform, language="en")
    listings = {
        "ocr": submit(
            Capability,
            owner,
            capability_fields(application_question=OCR_QUESTION, terms_text=OCR_TERMS),
            ["OCR", "发票"],
        ),
        "vision": submit(
            Capability,
            owner,
            capability_fields(
                title="工业视觉缺陷检测 API Visual defect inspection",
                summary="Finds scratches and dents on machined parts. 检测零件表面缺陷。",
                description="上传零件照片，返回缺陷位置。Upload part photos, get defects back.",
                industries=["manufacturing"],
            ),
            ["视觉检测", "Quality"],
        ),
        "gpu": submit(
            Capability,
            owner,
            capability_fields(
                kind="compute",
                title="GPU 算力租用 GPU computing power",
                summary="A100 GPUs by the hour. 按小时租用显卡。",
                description="按小时租用 A100 显卡算力，也可识别发票。Rent A100 computing power by the hour.",
            ),
            ["GPU", "OCR"],
        ),
    }
    for listing in listings.values():
        publish(Capability, listing.pk, moderator)
    return SimpleNamespace(platform=platform, **listings)


@pytest.mark.parametrize("language", LANGUAGES)
def test_sme_signs_up_posts_a_need_applies_and_writes(open_browser, screenshots, catalogue, moderator, language):
    page = open_browser("en")
    page.goto("/")
    if language != "en":
        choose_language(page, language)
    screenshots(page, "home")

    # Sign up with the organisation.
    page.get_by_role("link", name=tr(language, "Join Tandem")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Join Tandem"))
    page.locator("input[name='organization-kind'][value='sme']").check()
    page.locator("input[name='organization-legal_name']").fill("Ningbo Haishan Precision Parts Co., Ltd.")
    page.locator("input[name='organization-credit_code']").fill(make_credit_code(90_001))
    page.locator("select[name='organization-size_band']").select_option("small")
    page.locator("select[name='organization-industry']").select_option("manufacturing")
    page.locator("select[name='organization-province']").select_option("zhejiang")
    page.locator("input[name='display_name']").fill("Chen Jing")
    page.locator("input[name='email']").fill(f"chen.jing.{language}@haishan.example")
    page.locator("input[name='password1']").fill(PASSWORD)
    page.locator("input[name='password2']").fill(PASSWORD)
    screenshots(page, "sign up")
    page.get_by_role("button", name=tr(language, "Create account")).click()
    # The same answer whether or not the address had an account: the way to
    # sign in comes by e-mail.
    expect(page).to_have_url(re.compile(r"/accounts/signup/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Check your e-mail"))
    expect_language(page, language)
    screenshots(page, "registered")
    log_in(page, f"chen.jing.{language}@haishan.example")

    # Post a need, in Chinese, and submit it for review.
    nav_link(page, language, "Your needs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Your needs"))
    page.get_by_role("link", name=tr(language, "Post a need")).click()
    title = "增值税发票自动识别"
    page.locator("input[name=title]").fill(title)
    page.locator("textarea[name=description]").fill(
        "我们每月处理约两千张增值税发票，希望用 OCR 接口自动识别发票代码、金额和税额，减少手工录入。"
    )
    page.locator("input[name=kinds_wanted][value=api]").check()
    page.locator("select[name=industry]").select_option("manufacturing")
    page.locator("select[name=region]").select_option("zhejiang")
    page.locator("input[name=budget_min_monthly]").fill("0")
    page.locator("input[name=budget_max_monthly]").fill("1000")
    page.locator("input[name=tags]").fill("OCR，发票")
    screenshots(page, "post a need")
    page.get_by_role("button", name=tr(language, "Save"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(status_badge(page)).to_have_text(tr(language, "Draft"))
    page.get_by_role("button", name=tr(language, "Submit for review")).click()
    expect(status_badge(page)).to_have_text(tr(language, "Submitted for review"))
    screenshots(page, "need submitted")

    # A moderator publishes it; the need page then proposes capabilities, with reasons.
    need_id = id_from_url(page, r"/needs/(\d+)/")
    publish(Need, need_id, moderator)
    page.reload()
    expect(status_badge(page)).to_have_text(tr(language, "Published"))
    matches = page.locator("section#matches")
    expect(matches.get_by_role("heading", level=2)).to_have_text(tr(language, "Recommended capabilities"))
    proposal = matches.locator("li.match", has_text=catalogue.ocr.title)
    expect(proposal).to_be_visible()
    reasons = proposal.get_by_role("list", name=tr(language, "Why it is proposed"))
    with translation.override(language):
        tags = human_list(["OCR", "发票"])  # "OCR, 发票" / "OCR、发票"
    expect(reasons).to_contain_text(tr(language, "shared tags: %(tags)s", tags=tags))
    expect(matches).not_to_contain_text(catalogue.gpu.title)  # computing power: not a kind the need wants
    screenshots(page, "recommendations")

    page.set_viewport_size(PHONE)
    expect(proposal).to_be_visible()
    expect_no_horizontal_scroll(page)
    screenshots(page, "need on a phone")
    page.set_viewport_size(DESKTOP)

    # Apply: answer the platform's question and accept its terms.
    proposal.get_by_role("link", name=tr(language, "Apply"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, "Apply"))
    expect(page.locator("select[name=need]")).to_have_value(str(need_id))
    expect(page.get_by_role("region", name=tr(language, "Terms of use"))).to_contain_text(OCR_TERMS)
    page.locator("textarea[name=intended_use]").fill("每月自动识别两千张进项发票，导入财务系统。")
    page.get_by_label(OCR_QUESTION).fill("约两千张")
    page.get_by_label(tr(language, "I have read and accept the terms above.")).check()
    screenshots(page, "apply")
    page.get_by_role("button", name=tr(language, "Send application")).click()
    expect_message(page, tr(language, "Application sent. The platform has been notified."))
    expect(status_badge(page)).to_have_text(tr(language, "Submitted"))

    # Write to the platform on the application's thread.
    message = "您好，请问免费额度什么时候可以开通？"
    thread = page.locator("#thread")
    thread.locator("textarea[name=body]").fill(message)
    thread.get_by_role("button", name=tr(language, "Send message")).click()
    expect(thread.locator(".message-bubble", has_text=message)).to_be_visible()
    expect(thread.locator("textarea[name=body]")).to_have_value("")
    screenshots(page, "message sent")


# 2. A platform lists a capability, invites an SME whose need fits, and accepts its application.


@pytest.fixture
def platform_and_sme(transactional_db, moderator, language):
    platform = verified_platform("Shenzhen Lingyun Compute Co., Ltd.")
    firm = sme("Chengdu Xiaoman Fresh Logistics Co., Ltd.")
    people = SimpleNamespace(
        platform=platform,
        sme=firm,
        zhao=member("zhao.lei@lingyun.example", platform, language=language, name="Zhao Lei"),
        zhou=member("zhou.min@xiaoman.example", firm, language=language, name="Zhou Min"),
    )
    people.need = submit(
        Need,
        people.zhou,
        need_fields(
            title="冷链配送发票识别 Invoice OCR for our cold-chain deliveries",
            region="zhejiang",
            industry="logistics",
        ),
        ["OCR", "发票"],
    )
    publish(Need, people.need.pk, moderator)
    return people


@pytest.mark.parametrize("language", LANGUAGES)
def test_platform_lists_invites_and_accepts(open_browser, screenshots, platform_and_sme, moderator, language):
    people = platform_and_sme
    staff = open_browser(language)
    log_in(staff, people.zhao.user.email)
    expect_language(staff, language)

    # List a capability and submit it for review.
    nav_link(staff, language, "Your capabilities").click()
    staff.get_by_role("link", name=tr(language, "List a capability")).click()
    title = "物流发票识别接口 Logistics invoice OCR API"
    staff.locator("select[name=kind]").select_option("api")
    staff.locator("input[name=title]").fill(title)
    staff.locator("input[name=summary]").fill("识别运输发票和增值税发票。Reads freight and VAT invoices.")
    staff.locator("textarea[name=description]").fill(
        "上传发票图片，返回发票代码、金额和税额，适合物流企业。Upload invoice images, get the fields back."
    )
    staff.locator("select[name=access_model]").select_option("free_quota")
    staff.locator("input[name=price_min_monthly]").fill("0")
    staff.locator("input[name=price_max_monthly]").fill("800")
    staff.locator("input[name=application_question]").fill(OCR_QUESTION)
    staff.locator("textarea[name=terms_text]").fill(OCR_TERMS)
    staff.locator("input[name=tags]").fill("OCR, 发票")
    screenshots(staff, "list a capability")
    staff.get_by_role("button", name=tr(language, "Save"), exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(title)
    staff.get_by_role("button", name=tr(language, "Submit for review")).click()
    expect(status_badge(staff)).to_have_text(tr(language, "Submitted for review"))

    # Once published, the capability page shows the needs that fit it.
    capability_id = id_from_url(staff, r"/capabilities/(\d+)/")
    publish(Capability, capability_id, moderator)
    staff.reload()
    expect(status_badge(staff)).to_have_text(tr(language, "Published"))
    matches = staff.locator("section#matches")
    expect(matches.get_by_role("heading", level=2)).to_have_text(tr(language, "Needs that fit"))
    fit = matches.locator("li.match", has_text=people.need.title)
    expect(
        fit.get_by_role("list", name=tr(language, "Why it is proposed")).get_by_role("listitem").first
    ).to_be_visible()
    screenshots(staff, "needs that fit")

    # Invite the SME behind the need.
    fit.get_by_role("link", name=tr(language, "Invite"), exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(tr(language, "Invite to apply"))
    expect(staff.locator("select[name=capability]")).to_have_value(str(capability_id))
    staff.locator("textarea[name=message]").fill("我们的免费额度每月可识别两千张发票。")
    staff.get_by_role("button", name=tr(language, "Send invitation")).click()
    expect_message(staff, tr(language, "Invitation sent to %(org)s.", org=people.sme.legal_name))
    screenshots(staff, "invited")

    # The SME applies through the invitation.
    applicant = open_browser(language)
    log_in(applicant, people.zhou.user.email)
    nav_link(applicant, language, "Invitations").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text(tr(language, "Invitations to apply"))
    invitation = applicant.locator("li.card", has_text=title)
    expect(invitation).to_contain_text("我们的免费额度每月可识别两千张发票。")
    screenshots(applicant, "invitations")
    invitation.get_by_role("link", name=tr(language, "Apply"), exact=True).click()
    expect(applicant.locator("p.notice")).to_contain_text(
        tr(language, "%(org)s invited you to apply.", org=people.platform.legal_name)
    )
    expect(applicant.locator("select[name=need]")).to_have_value(str(people.need.pk))
    applicant.locator("textarea[name=intended_use]").fill("识别每月的运输发票。")
    applicant.get_by_label(OCR_QUESTION).fill("约五百张")
    applicant.get_by_label(tr(language, "I have read and accept the terms above.")).check()
    applicant.get_by_role("button", name=tr(language, "Send application")).click()
    expect_message(applicant, tr(language, "Application sent. The platform has been notified."))
    expect(status_badge(applicant)).to_have_text(tr(language, "Submitted"))

    # The platform accepts it.
    nav_link(staff, language, "Applications").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(tr(language, "Applications to your capabilities"))
    staff.locator("table").get_by_role("link", name=title).click()
    staff.get_by_role("button", name=tr(language, "Accept"), exact=True).click()
    expect_message(staff, tr(language, "Accepted. The applicant has been told."))
    expect(status_badge(staff)).to_have_text(tr(language, "Accepted"))
    screenshots(staff, "accepted")

    # The SME sees the decision, on its phone too, and is notified.
    applicant.reload()
    expect(status_badge(applicant)).to_have_text(tr(language, "Accepted"))
    applicant.set_viewport_size(PHONE)
    expect_no_horizontal_scroll(applicant)
    screenshots(applicant, "decision on a phone")
    applicant.set_viewport_size(DESKTOP)
    nav_link(applicant, language, "Notifications").click()
    expect(applicant.locator(".notification-list")).to_contain_text(
        tr(language, "Your application to “%(title)s” was accepted.", title=title)
    )
    screenshots(applicant, "notified")


# 3. An admin moderates submitted capabilities in Django admin; the owner sees the decisions.


@pytest.fixture
def review_queue(transactional_db, language):
    platform = verified_platform("Hangzhou Cloudbridge Technology Co., Ltd.")
    owner = member("wang.fang@cloudbridge.example", platform, language=language, name="Wang Fang")
    return SimpleNamespace(
        owner=owner,
        admin=staff_superuser(language, authenticator=True),
        ocr=submit(Capability, owner, capability_fields(), ["OCR"]),
        speech=submit(
            Capability,
            owner,
            capability_fields(**SPEECH),
        ),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_admin_moderates_and_owner_sees_the_decision(open_browser, screenshots, review_queue, language):
    queue = review_queue
    reason = "请补充服务等级说明。Please state the service level."

    # The admin's own sign-in page, then the code from the authenticator app.
    admin = open_browser(language)
    log_in(admin, queue.admin.email, at="/admin/")
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    expect_language(admin, language)
    admin.goto("/")
    nav_link(admin, language, "Admin").click()
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.locator("#content-main a[href$='/admin/marketplace/capability/']").first.click()
    admin.get_by_role("link", name=tr(language, "Waiting for review")).click()
    rows = admin.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    screenshots(admin, "review queue")

    # Read the listing, then publish it with the admin action.
    admin.get_by_role("link", name=queue.ocr.title).click()
    expect(admin.locator("#content-main")).to_contain_text(queue.ocr.description)
    screenshots(admin, "capability")
    admin.go_back()
    admin.locator(f"input[name=_selected_action][value='{queue.ocr.pk}']").check()
    admin.locator("select[name=action]").select_option("publish")
    admin.get_by_role("button", name=tr(language, "Run"), exact=True).click()
    expect(admin.locator("ul.messagelist")).to_contain_text(one_listing_updated(language))
    screenshots(admin, "published")

    # Ask for changes on the other, with the reason the owner will read.
    admin.locator(f"input[name=_selected_action][value='{queue.speech.pk}']").check()
    admin.locator("select[name=action]").select_option("request_changes")
    admin.get_by_role("button", name=tr(language, "Run"), exact=True).click()
    admin.get_by_label(tr(language, "Reason the owner will read")).fill(reason)
    screenshots(admin, "reason")
    admin.get_by_role("button", name=tr(language, "Confirm")).click()
    expect(admin.locator("ul.messagelist")).to_contain_text(one_listing_updated(language))

    # The owner is told, and sees each listing's new status.
    owner = open_browser(language)
    log_in(owner, queue.owner.user.email)
    nav_link(owner, language, "Notifications").click()
    notifications = owner.locator(".notification-list")
    expect(notifications).to_contain_text(tr(language, "“%(title)s” is published.", title=queue.ocr.title))
    expect(notifications).to_contain_text(tr(language, "Changes requested for “%(title)s”.", title=queue.speech.title))
    expect(notifications).to_contain_text(tr(language, "Reason: %(reason)s", reason=reason))
    screenshots(owner, "notified")
    notifications.get_by_role(
        "link", name=tr(language, "Changes requested for “%(title)s”.", title=queue.speech.title)
    ).click()
    expect(status_badge(owner)).to_have_text(tr(language, "Changes requested"))
    expect(owner.locator(".owner-bar")).to_contain_text(reason)
    screenshots(owner, "changes requested")
    nav_link(owner, language, "Your capabilities").click()
    expect(owner.locator("tr", has_text=queue.ocr.title).locator("span.status")).to_have_text(tr(language, "Published"))


# 4. The language switch.


@pytest.fixture
def person(transactional_db, language):
    """Someone whose account (and browser) speak the other language."""
    other = "en" if language != "en" else "zh-hans"
    return member("li.wei@haishan.example", sme("Ningbo Haishan Precision Parts Co., Ltd."), language=other)


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_switch_persists(open_browser, screenshots, person, language):
    other = person.user.preferred_language

    # A visitor whose browser speaks the other language switches in the footer.
    visitor = open_browser(other)
    visitor.goto("/")
    expect_language(visitor, other)
    expect(nav_link(visitor, other, "Capabilities")).to_be_visible()
    screenshots(visitor, "before")
    choose_language(visitor, language)
    screenshots(visitor, "after")
    nav_link(visitor, language, "Capabilities").click()
    expect(visitor).to_have_url(re.compile(r"/capabilities/$"))
    expect_language(visitor, language)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(tr(language, "Capabilities platforms open to SMEs"))
    nav_link(visitor, language, "Needs").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(tr(language, "What SMEs need"))
    screenshots(visitor, "still after navigating")

    # A signed-in person's choice is remembered for their next visit.
    signed_in = open_browser(other)
    log_in(signed_in, person.user.email)
    expect_language(signed_in, other)
    choose_language(signed_in, language)
    log_out(signed_in)
    expect_language(signed_in, language)
    elsewhere = open_browser(other)
    log_in(elsewhere, person.user.email)
    expect_language(elsewhere, language)
    expect(nav_link(elsewhere, language, "Your needs")).to_be_visible()
    screenshots(elsewhere, "logged in again")


# In-place updates (static/js/tandem.js): the page stays, its parts change.


@pytest.fixture
def application(catalogue, language):
    """An SME that applied to the catalogue's invoice OCR API."""
    firm = sme("Ningbo Haishan Precision Parts Co., Ltd.")
    chen = member("chen.jing@haishan.example", firm, language=language, name="Chen Jing")
    return application_submit(
        membership=chen,
        capability_id=catalogue.ocr.pk,
        intended_use="每月识别两千张发票。",
        answer="约两千张",
        accepted_terms_version=catalogue.ocr.terms_version,
    )


def mark_document(page: Page) -> None:
    """A mark that a full page load would wipe out."""
    page.evaluate("window.tandemTestMark = true")


def document_is_the_same(page: Page) -> bool:
    return page.evaluate("window.tandemTestMark === true")


@pytest.mark.parametrize("language", ["zh-hans"])
def test_filters_and_messages_update_in_place(open_browser, screenshots, catalogue, application, language):
    visitor = open_browser(language)
    visitor.goto("/capabilities/")
    results = visitor.locator("#catalogue-results")
    expect(results.get_by_role("heading", level=2)).to_have_text(
        trn(language, "%(counter)s capability", "%(counter)s capabilities", 3, counter=3)
    )
    mark_document(visitor)
    visitor.locator("#catalogue-filters select[name=kind]").select_option("compute")
    expect(results.get_by_role("heading", level=2)).to_have_text(
        trn(language, "%(counter)s capability", "%(counter)s capabilities", 1, counter=1)
    )
    expect(results).to_contain_text(catalogue.gpu.title)
    expect(results).not_to_contain_text(catalogue.ocr.title)
    expect(visitor).to_have_url(re.compile(r"[?&]kind=compute"))
    assert document_is_the_same(visitor), "changing a filter loaded a new page"
    screenshots(visitor, "filtered in place")

    applicant = open_browser(language)
    log_in(applicant, application.sme.memberships.get().user.email)
    applicant.goto(f"/applications/{application.pk}/")
    mark_document(applicant)
    message = "请问免费额度什么时候开通？"
    thread = applicant.locator("#thread")
    thread.locator("textarea[name=body]").fill(message)
    thread.get_by_role("button", name=tr(language, "Send message")).click()
    expect(thread.locator(".message-bubble", has_text=message)).to_be_visible()
    expect(thread.get_by_role("status")).to_have_text(tr(language, "Message sent."))
    expect(thread.locator("textarea[name=body]")).to_be_focused()
    assert document_is_the_same(applicant), "sending a message loaded a new page"
    screenshots(applicant, "message sent in place")

    # The server fails: the script says so at the form, keeps the text and
    # does not post it again on its own (no second copy of the message).
    second = "第二条消息"
    applicant.route(f"**/applications/{application.pk}/messages/", lambda route: route.fulfill(status=500, body=""))
    thread.locator("textarea[name=body]").fill(second)
    thread.get_by_role("button", name=tr(language, "Send message")).click()
    expect(thread.get_by_role("alert")).to_have_text(
        tr(language, "That did not go through. Please try again in a moment.")
    )
    expect(thread.locator("textarea[name=body]")).to_have_value(second)
    assert document_is_the_same(applicant), "a failed post loaded a new page"
    applicant.unroute(f"**/applications/{application.pk}/messages/")
    thread.get_by_role("button", name=tr(language, "Send message")).click()
    expect(thread.locator(".message-bubble", has_text=second)).to_have_count(1)
    expect(thread.get_by_role("alert")).to_have_count(0)
    assert application.messages.filter(body=second).count() == 1


# 5. The dashboards: charts, their data as tables, and the CSV files.


@pytest.fixture
def collaboration(transactional_db, moderator, language):
    """A platform and an SME that have worked together: one application
    accepted, one declined."""
    platform = verified_platform("Hangzhou Cloudbridge Technology Co., Ltd.")
    firm = sme("Ningbo Haishan Precision Parts Co., Ltd.")
    people = SimpleNamespace(
        wang=member("wang.fang@cloudbridge.example", platform, language=language, name="Wang Fang"),
        chen=member("chen.jing@haishan.example", firm, language=language, name="Chen Jing"),
        admin=staff_superuser(language),
    )
    ocr = submit(Capability, people.wang, capability_fields(), ["OCR", "发票"])
    speech = submit(
        Capability,
        people.wang,
        capability_fields(**SPEECH),
    )
    need = submit(Need, people.chen, need_fields(), ["OCR", "发票"])
    for model, listing in ((Capability, ocr), (Capability, speech), (Need, need)):
        publish(model, listing.pk, moderator)
    for capability, decide in ((ocr, application_accept), (speech, application_decline)):
        application = application_submit(
            membership=people.chen, capability_id=capability.pk, intended_use="每月识别两千张发票。", need_id=need.pk
        )
        reason = {"reason": "capacity_full"} if decide is application_decline else {}
        decide(membership=people.wang, application_id=application.pk, **reason)
    return people


def expect_dashboard(page: Page, screenshots, name: str) -> None:
    """Every chart drawn; the first chart's data shown as a table; its CSV a
    file whose header row is the table's; no sideways scrolling on a phone."""
    charts = page.locator("figure.chart svg[role=img]")
    expect(charts.first).to_be_visible()
    for chart in charts.all():
        expect(chart).to_be_visible()
    screenshots(page, f"{name} dashboard")

    figure = page.locator("figure.chart", has=page.locator("svg[role=img]")).first
    figure.locator("details.chart-data > summary").click()
    table = figure.locator("table.chart-table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    header = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    with page.expect_download() as download:
        figure.locator(".chart-export a").click()
    rows = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == header, f"the CSV's header row {rows[0]} is not the table's {header}"
    assert len(rows) == 1 + table.locator("tbody tr").count()
    screenshots(page, f"{name} dashboard table")

    page.set_viewport_size(PHONE)
    expect(charts.first).to_be_visible()
    expect_no_horizontal_scroll(page)
    screenshots(page, f"{name} dashboard on a phone")
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboards_show_charts_tables_and_csv(open_browser, screenshots, collaboration, language):
    dashboards = [
        ("sme", collaboration.chen.user, "Dashboard", "Dashboard"),
        ("platform", collaboration.wang.user, "Dashboard", "Dashboard"),
        ("ecosystem", collaboration.admin, "Ecosystem", "Ecosystem dashboard"),
    ]
    for name, user, link, heading in dashboards:
        page = open_browser(language)
        log_in(page, user.email)
        nav_link(page, language, link).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(tr(language, heading))
        expect_language(page, language)
        expect(nav_link(page, language, "Capabilities")).to_be_visible()
        expect_dashboard(page, screenshots, name)
        page.context.close()
