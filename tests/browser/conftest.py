"""Browser journeys in real Chromium, driven by Playwright (pytest-playwright)
against pytest-django's live server.

- The browser is the system's Chromium (Debian's ``chromium`` package):
  ``playwright install`` cannot download browsers here. Without
  /usr/bin/chromium these tests are skipped with the reason; with
  REQUIRE_BROWSER=1 (as in CI) that is a failure instead.
- Playwright's sync API keeps an asyncio event loop running in the test
  thread, and Django refuses ORM calls from a thread with a running loop. So
  DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while Playwright runs, and
  Playwright (with the browser) is scoped to this package rather than the
  session: after the last browser test the loop is gone and the setting
  restored, and the rest of the suite runs as if this package did not exist.
- Each journey saves full-page screenshots of its steps, and of the page it
  was on when it failed, in test-artifacts/screenshots/<test>/<NN>-<step>.png.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.helpers import BROWSER_LOCALES, DESKTOP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Pages wait for the matching that publishing runs in the request (eager Celery):
# generous on a busy 2-core machine, and never a fixed sleep.
EXPECT_TIMEOUT_MS = 15_000

_reports = pytest.StashKey[dict]()


def pytest_runtest_setup(item):
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"needs Chromium at {CHROMIUM} (Debian: apt-get install chromium chromium-driver)"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


# Playwright and the browser: pytest-playwright's fixtures, scoped to this package.


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="package")
def playwright():
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(live_server):
    return {"base_url": live_server.url}


@pytest.fixture
def open_browser(new_context):
    """A new browser (its own cookies) with one page: ``open_browser("zh-hans")``
    is a browser whose Accept-Language is Chinese. Confirmation dialogs
    (``data-confirm``) are accepted, as a person clicking OK would.

    Whatever the Content-Security-Policy blocks (Chromium reports each
    refused script, style or image on the console) fails the test at its end:
    every journey doubles as a check that the policy and the pages agree."""
    violations = []

    def _open(language: str = "en", viewport: dict = DESKTOP) -> Page:
        context = new_context(locale=BROWSER_LOCALES[language], viewport=viewport)
        context.set_default_timeout(EXPECT_TIMEOUT_MS)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())

        def note_violation(message):
            if "Content Security Policy" in message.text:
                violations.append(f"{page.url}: {message.text}")

        page.on("console", note_violation)
        return page

    yield _open
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


class Screenshots:
    """``screenshots(page, "need page")`` saves <NN>-need-page.png, full page."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.last_page: Page | None = None

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        self.last_page = page
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def screenshots(request):
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shots = Screenshots(folder)
    yield shots
    call = request.node.stash.get(_reports, {}).get("call")
    if call is not None and call.failed and shots.last_page is not None and not shots.last_page.is_closed():
        shots(shots.last_page, "failed")
