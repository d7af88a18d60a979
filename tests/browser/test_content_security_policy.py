"""Pages whose markup is not ours, in real Chromium under the site's
Content-Security-Policy: Swagger UI at /api/docs/ and the Django admin pages
the journeys do not visit. ``open_browser`` fails a test on any violation
Chromium reports; the journeys cover our own pages (live filters, messages,
match feedback, dashboards) and the admin's moderation."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import UserFactory
from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser


def test_swagger_ui_runs_under_the_policy(open_browser, transactional_db):
    page = open_browser()
    page.goto("/api/docs/")

    operation = page.locator(".swagger-ui .opblock").first
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".opblock-body")).to_be_visible()


def test_admin_pages_run_under_the_policy(open_browser, transactional_db):
    admin = UserFactory(email="admin@tandem.example", is_staff=True, is_superuser=True)
    page = open_browser()
    log_in(page, admin.email)

    page.goto("/admin/matching/match/")
    expect(page.locator(".object-tools form button")).to_be_visible()
    page.goto("/admin/accounts/user/")
    page.locator("#action-toggle").check()  # the admin's own script selects every row
    expect(page.locator("#result_list tbody tr.selected")).to_have_count(1)
    page.goto("/admin/accounts/user/add/")
    expect(page.locator("input[name=password1]")).to_be_visible()
