"""One-line fields refuse line breaks, on the pages and in the API, with one
validator (config.forms.validate_one_line); and no e-mail task fails
silently (config.celery.EmailTask): a team invitation whose e-mail cannot be
sent is still created (201, not 500, with no broker) and the failure is
logged as an error."""

import json
import logging
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import MembershipInvitation, Organization, User
from tests.accounts.test_views import signup_data
from tests.api.test_listing_api import CAPABILITY

pytestmark = pytest.mark.django_db

LINE_BREAKS = ["Evil\r\nBcc: victim@example.com", "Two\nlines", "Carriage\rreturn", "Line\u2028separator"]


def organization_form(**overrides):
    data = {k.removeprefix("organization-"): v for k, v in signup_data().items() if k.startswith("organization-")}
    return data | overrides


class TestPages:
    @pytest.mark.parametrize("name", LINE_BREAKS)
    def test_an_organisation_name_is_one_line(self, login, cast, name):
        response = login(cast.frank).post(reverse("accounts:organization_create"), organization_form(legal_name=name))
        assert response.status_code == 400
        assert "line breaks are not allowed" in response.text
        assert not Organization.objects.filter(legal_name=name).exists()

    def test_a_display_name_is_one_line(self, login, cast):
        data = {"display_name": "Alice\r\nAdmin", "preferred_language": "en", "weekly_digest": "on"}
        response = login(cast.alice).post(reverse("accounts:profile"), data)
        assert response.status_code == 400
        assert "line breaks are not allowed" in response.text
        cast.alice.user.refresh_from_db()
        assert "\n" not in cast.alice.user.display_name

    def test_sign_up_names_are_one_line(self, client, db):
        response = client.post(
            reverse("accounts:signup"), signup_data(display_name="Lin\nXia", **{"organization-legal_name": "A\r\nB"})
        )
        assert response.status_code == 400
        assert response.context["form"].errors["display_name"] == [
            "Write this on one line: line breaks are not allowed here."
        ]
        assert "line breaks are not allowed" in response.context["organization_form"].errors["legal_name"][0]
        assert not User.objects.filter(display_name__startswith="Lin").exists()

    def test_a_description_keeps_its_lines(self, login, cast):
        data = organization_form(description="First line.\r\nSecond line.")
        assert login(cast.frank).post(reverse("accounts:organization_create"), data).status_code == 302
        assert Organization.objects.get(credit_code=data["credit_code"]).description == "First line.\r\nSecond line."


class TestApi:
    @pytest.mark.parametrize("name", LINE_BREAKS)
    def test_an_organisation_name_is_one_line(self, api, cast, name):
        response = api(cast.alice).patch(reverse("api:my-organization"), {"legal_name": name}, format="json")
        assert response.status_code == 400
        assert "line breaks are not allowed" in response.json()["extra"]["fields"]["legal_name"][0]
        cast.sme.refresh_from_db()
        assert cast.sme.legal_name == "Alice Parts Co., Ltd."

    @pytest.mark.parametrize("field", ["title", "summary", "tags"])
    def test_a_listings_one_line_fields(self, api, cast, field):
        body = CAPABILITY | {field: ["OCR", "a\nb"] if field == "tags" else "a\r\nb"}
        response = api(cast.dan).post(reverse("api:capability-list"), body, format="json")
        assert response.status_code == 400, response.json()

    def test_a_listings_description_keeps_its_lines(self, api, cast):
        body = CAPABILITY | {"description": "Reads invoices.\nAnd receipts."}
        assert api(cast.dan).post(reverse("api:capability-list"), body, format="json").status_code == 201

    def test_the_schema_shows_the_rule(self, api):
        schema = api().get(reverse("api-schema"), {"format": "json"}).json()
        legal_name = schema["components"]["schemas"]["PatchedOrganizationUpdateRequest"]["properties"]["legal_name"]
        assert legal_name["pattern"].startswith("^[^\\n\\r")

    def test_the_answers_schemas_do_not_carry_it(self, api, cast, capability):
        """A legal name stored before the rule, or by an administrator, with a
        line break: the answers that show it still conform to the schema."""
        schema = api().get(reverse("api-schema"), {"format": "json"}).json()["components"]["schemas"]
        pattern = schema["PatchedOrganizationUpdateRequest"]["properties"]["legal_name"]["pattern"]
        answers = {name: part for name, part in schema.items() if not name.endswith("Request")}
        assert pattern not in json.dumps(answers)
        assert "pattern" not in answers["OrganizationSummary"]["properties"]["legal_name"]
        assert "pattern" not in answers["Capability"]["properties"]["tags"]["items"]
        assert schema["CapabilityInputRequest"]["properties"]["tags"]["items"]["pattern"] == pattern


def test_the_models_that_e_mails_quote_refuse_line_breaks(cast):
    cast.sme.legal_name = "A\nB"
    with pytest.raises(ValidationError) as refused:
        cast.sme.full_clean()
    assert "legal_name" in refused.value.error_dict


class TestInvitationEmails:
    """Celery runs the task in the request (no broker, as ``make run`` and
    the test settings do): the invitation must be created whatever the mail."""

    def invite(self, api, cast, django_capture_on_commit_callbacks, email="new@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            return api(cast.alice).post(
                reverse("api:membership-invitation-list"), {"email": email, "role": "member"}, format="json"
            )

    def test_a_stored_name_with_a_line_break_still_gives_a_one_line_subject(
        self, api, cast, django_capture_on_commit_callbacks
    ):
        # A name written before line breaks were refused.
        Organization.objects.filter(pk=cast.sme.pk).update(legal_name="Alice Parts\r\nBcc: victim@example.com")
        User.objects.filter(pk=cast.alice.user.pk).update(display_name="Alice\nAdmin")
        response = self.invite(api, cast, django_capture_on_commit_callbacks)
        assert response.status_code == 201
        assert len(mail.outbox) == 1
        assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject
        assert mail.outbox[0].to == ["new@example.com"]
        assert MembershipInvitation.objects.get(email="new@example.com").sent_at is not None

    def test_an_e_mail_that_cannot_be_sent_is_logged_not_a_500(
        self, api, cast, django_capture_on_commit_callbacks, caplog
    ):
        failing = mock.patch("accounts.services.send_mail", side_effect=ValueError("Header values may not contain"))
        with failing, caplog.at_level(logging.ERROR, logger="config.celery"):
            response = self.invite(api, cast, django_capture_on_commit_callbacks)
        assert response.status_code == 201
        invitation = MembershipInvitation.objects.get(email="new@example.com")
        assert invitation.sent_at is None
        errors = [record for record in caplog.records if record.name == "config.celery"]
        assert len(errors) == 1
        assert "membership_invitation_send" in errors[0].getMessage()
        assert "e-mail was not sent" in errors[0].getMessage()

    def test_a_mail_server_that_fails_is_tried_again(self, api, cast, django_capture_on_commit_callbacks, caplog):
        calls = []

        def flaky(*args, **kwargs):
            calls.append(args)
            if len(calls) == 1:
                raise SMTPServerDisconnected("gone")
            return 1

        with mock.patch("accounts.services.send_mail", side_effect=flaky):
            response = self.invite(api, cast, django_capture_on_commit_callbacks)
        assert response.status_code == 201
        assert len(calls) == 2
        assert MembershipInvitation.objects.get(email="new@example.com").sent_at is not None
