"""Accessibility of Tandem's pages in real Chromium, in English and Chinese, on
a desktop (1280 px) and a phone (375 px).

- axe-core (WCAG 2.1 A and AA rules) runs on a representative page of each
  kind for a visitor, an SME and a platform; any violation of impact
  "serious" or "critical" fails, listed page by page. Every violation, of any
  impact, is written to test-artifacts/accessibility/<test>.json.
- On the phone no page may scroll sideways.
- With the keyboard alone: the skip link comes first, focus follows the order
  of the page, every focused element shows its outline and none is hidden
  under something else (such as the open account menu).

axe-core is a development dependency from npm (package.json): without
node_modules/axe-core (`npm ci`) these tests are skipped with the reason; with
REQUIRE_BROWSER=1 (as in CI) that is a failure instead.
"""

import json
import os
import re
from pathlib import Path

import pyotp
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import TwoFactorAuthenticator
from marketplace.models import Capability
from marketplace.services.applications import application_submit, message_send
from marketplace.services.invitations import invitation_send
from matching.models import Match
from matching.services import rematch
from tests.browser.helpers import DESKTOP, LANGUAGES, PASSWORD, PHONE, log_in, member, sme, verified_platform
from tests.marketplace.factories import CapabilityFactory, NeedFactory

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "accessibility"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return {version: axe.version, violations: result.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({target: node.target.join(" "), summary: node.failureSummary})),
  }))};
}"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if AXE.is_file():
        return AXE
    reason = f"needs axe-core at {AXE.relative_to(ROOT)}: run `npm ci` in {ROOT}"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(params=LANGUAGES)
def language(request):
    return request.param


@pytest.fixture
def site(transactional_db, language):
    """A verified platform with three capabilities; an SME whose published need
    has recommendations, an invitation, and an application with a message."""
    platform = verified_platform("Hangzhou Cloudbridge Technology Co., Ltd.")
    dan = member("dan@cloudbridge.example", platform, language=language, name="Wang Fang")
    firm = sme("Ningbo Haishan Precision Parts Co., Ltd.")
    alice = member("alice@haishan.example", firm, language=language, name="Chen Jing")
    ocr = CapabilityFactory(
        organization=platform,
        title="增值税发票 OCR 识别接口 Invoice OCR API",
        summary="Reads VAT invoices into structured fields. 识别增值税发票。",
        description="上传发票图片，返回发票代码、金额和税额。Upload an invoice image, get the fields back.",
        application_question="每月大约处理多少张发票？",
        terms_text="免费额度每月两千张。Do not resell the API.",
    )
    vision = CapabilityFactory(
        organization=platform,
        title="Visual defect detection model 视觉检测模型",
        summary="Finds scratches and dents on machined parts.",
        description="Upload photos of parts; get the defects marked. 上传零件照片，标出缺陷。",
    )
    CapabilityFactory(organization=platform, kind="compute", title="GPU 算力 GPU hours", summary="Hourly GPUs.")
    need = NeedFactory(
        organization=firm,
        title="发票自动识别 Automatic invoice OCR",
        description="我们每月处理两千张增值税发票，希望用 OCR 接口自动识别发票。"
        "We scan two thousand VAT invoices a month and want an invoice OCR API to read them.",
        kinds_wanted=["api", "model"],
    )
    rematch.match_need(need.pk)
    assert Match.objects.filter(need=need).exists(), "the need has no recommendations to check"
    invitation_send(membership=dan, capability_id=vision.pk, need_id=need.pk, message="Try our model.")
    application = application_submit(
        membership=alice,
        capability_id=ocr.pk,
        intended_use="Read our supplier invoices. 识别供应商发票。",
        answer="两千张",
        need_id=need.pk,
        accepted_terms_version=Capability.objects.get(pk=ocr.pk).terms_version,
    )
    message_send(membership=dan, application_id=application.pk, body="欢迎！Welcome, we will review it this week.")
    return {"sme": alice, "platform": dan, "capability": ocr, "need": need, "application": application}


def pages_of(who: str, site: dict) -> list[str]:
    capability, need, application = site["capability"].pk, site["need"].pk, site["application"].pk
    return {
        "visitor": [
            reverse("home"),
            reverse("marketplace:catalogue"),
            reverse("marketplace:capability_detail", args=[capability]),
            reverse("marketplace:needs_board"),
            reverse("accounts:signup"),
        ],
        "sme": [
            reverse("marketplace:need_detail", args=[need]),
            reverse("marketplace:application_detail", args=[application]),
            reverse("marketplace:workspace_needs"),
            reverse("marketplace:needs_create"),
            reverse("marketplace:notifications"),
            reverse("accounts:members"),
            reverse("accounts:api_tokens"),
            reverse("accounts:two_factor_setup"),
            reverse("dashboards:dashboard"),
        ],
        "platform": [
            reverse("marketplace:capability_detail", args=[capability]),
            reverse("marketplace:workspace_capabilities"),
            reverse("marketplace:invitation_send", args=[need]),
            reverse("dashboards:dashboard"),
            reverse("accounts:two_factor"),
        ],
    }[who]


def check_page(page: Page, language: str, viewport: str) -> tuple[list[str], list[dict]]:
    """Problems that fail the test on the page shown, and every axe violation."""
    where = f"[{language}, {page.viewport_size['width']} px] {page.url}"
    problems = []
    if page.evaluate("document.documentElement.lang") != language:
        problems.append(f"{where}: not in {language}")
    if viewport == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{where}: scrolls sideways, {width} px wide")
    # What is folded away (the charts' tables, filters on phones) is checked too.
    page.evaluate("document.querySelectorAll('details:not(.org-menu)').forEach((d) => { d.open = true; })")
    result = page.evaluate(RUN_AXE, WCAG_21_AA)
    for rule in result["violations"]:
        if rule["impact"] in BLOCKING:
            nodes = "".join(f"\n      {node['target']}: {' '.join(node['summary'].split())}" for node in rule["nodes"])
            problems.append(f"{where}: {rule['id']} ({rule['impact']}): {rule['help']}{nodes}")
    return problems, [{"page": where, **rule} for rule in result["violations"]]


@pytest.mark.parametrize("who", ["visitor", "sme", "platform"])
def test_pages_pass_axe_and_fit_a_phone(axe_script, open_browser, site, language, who, request):
    page = open_browser(language)
    page.context.add_init_script(path=str(axe_script))  # in every page it loads
    if who != "visitor":
        log_in(page, site[who].user.email)  # applies the account's language
    problems, violations = [], []
    for path in pages_of(who, site):
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            response = page.goto(path)
            assert response.ok, f"{path}: HTTP {response.status}"
            found, seen = check_page(page, language, viewport)
            problems += found
            violations += seen
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / (re.sub(r"[^\w.-]+", "-", request.node.name).strip("-") + ".json")
    report.write_text(json.dumps(violations, ensure_ascii=False, indent=1))
    assert not problems, f"{len(problems)} accessibility problems (all violations: {report}):\n" + "\n".join(problems)


def test_the_sign_in_code_page_passes_axe_and_fits_a_phone(axe_script, open_browser, site, language):
    """The second step of signing in (the other pages of two-factor
    authentication are in pages_of: the platform owner set it up when
    log_in signed them in)."""
    TwoFactorAuthenticator.objects.create(user=site["platform"].user, secret=pyotp.random_base32())
    page = open_browser(language)
    page.context.add_init_script(path=str(axe_script))
    page.goto(reverse("accounts:login"))
    form = page.locator("main form")
    form.locator("input[name=username]").fill(site["platform"].user.email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    problems = []
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        problems += check_page(page, language, viewport)[0]
    assert not problems, "\n".join(problems)


# The keyboard.

FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  // The middle of its first line: a link that wraps has a gap in the middle of its box.
  const line = element.getClientRects()[0] || box;
  const x = line.left + line.width / 2, y = line.top + line.height / 2;
  const top = document.elementFromPoint(x, y);
  const all = Array.from(document.querySelectorAll("*"));
  return {
    name: `${element.tagName.toLowerCase()} "${(element.innerText || element.name || "").trim().slice(0, 40)}"`,
    order: all.indexOf(element),
    inMain: !!element.closest("main"),
    inMenu: !!element.closest("details.org-menu"),
    isMenu: element.matches("details.org-menu > summary"),
    isSkipLink: element.matches(".skip-link"),
    // :focus-within: a date field's calendar button has the focus inside the field.
    focusVisible: element.matches(":focus-visible, :focus-within"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
    hiddenBy: top && (top === element || element.contains(top) || (element.labels && Array.from(element.labels).includes(top)))
      ? "" : (top ? `${top.tagName.toLowerCase()}.${top.className}` : "nothing"),
  };
}"""


def tab_and_check(page: Page, problems: list[str]) -> dict:
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    where = f"[{page.viewport_size['width']} px] {page.url}: {focused['name']}"
    if not (focused["focusVisible"] and focused["outline"]):
        problems.append(f"{where}: no visible focus outline")
    if not focused["onScreen"]:
        problems.append(f"{where}: focused off screen")
    elif focused["hiddenBy"]:
        problems.append(f"{where}: focused but hidden under {focused['hiddenBy']}")
    return focused


@pytest.mark.parametrize("language", ["en"])
@pytest.mark.parametrize(
    "viewport",
    ["phone", "desktop"],
)
def test_keyboard_walks_the_header_and_its_menu_in_order(axe_script, open_browser, site, viewport):
    page = open_browser("en", VIEWPORTS[viewport])
    log_in(page, site["sme"].user.email)
    page.goto(reverse("marketplace:workspace_needs"))  # its first button sits under the menu's panel
    assert page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count() == 0, "a positive tabindex"
    problems, walked = [], []
    focused = tab_and_check(page, problems)
    assert focused["isSkipLink"], f"the first Tab reaches {focused['name']}, not the skip link"
    while not focused["isMenu"]:
        walked.append(focused)
        focused = tab_and_check(page, problems)
        assert len(walked) < 30, "Tab never reaches the account menu"
    page.keyboard.press("Enter")
    assert page.locator("details.org-menu").evaluate("menu => menu.open"), "Enter does not open the account menu"
    page.keyboard.press("Escape")
    assert not page.locator("details.org-menu").evaluate("menu => menu.open"), "Escape does not close the menu"
    assert page.evaluate(FOCUSED)["isMenu"], "Escape does not give the focus back to the menu"
    page.keyboard.press("Enter")
    walked.append(page.evaluate(FOCUSED))
    for _ in range(12):
        focused = tab_and_check(page, problems)
        walked.append(focused)
        if focused["inMain"] and sum(step["inMain"] for step in walked) >= 3:
            break
    assert sum(step["inMenu"] for step in walked) >= 6, "Tab does not go through the open menu"
    assert any(step["inMain"] for step in walked), "Tab never leaves the header"
    orders = [step["order"] for step in walked]
    assert orders == sorted(orders), "focus jumps against the order of the page: " + " → ".join(
        step["name"] for step in walked
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["en"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_keyboard_fills_a_form_in_order(axe_script, open_browser, site, viewport):
    page = open_browser("en", VIEWPORTS[viewport])
    log_in(page, site["sme"].user.email)
    page.goto(reverse("marketplace:needs_create"))
    page.locator("main form input[name=title]").focus()
    page.keyboard.press("Shift+Tab")
    problems, walked = [], []
    for _ in range(40):
        focused = tab_and_check(page, problems)
        walked.append(focused)
        if focused["name"].startswith("button"):
            break
    assert walked[0]["name"].startswith("input"), "Tab does not start the form at its first field"
    assert walked[-1]["name"].startswith("button"), "Tab never reaches the form's button"
    orders = [step["order"] for step in walked]
    assert orders == sorted(orders), "focus jumps against the order of the form: " + " → ".join(
        step["name"] for step in walked
    )
    assert not problems, "\n".join(problems)
