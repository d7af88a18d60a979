"""An application's thread takes messages while the application is open or
accepted; once withdrawn, declined or expired it takes last words for
APPLICATION_THREAD_GRACE_DAYS, then is a record to read, closed to new
messages (issue 18, item 9). Service, page (form and POST) and API.

Applications made by the factory in a closed state have no audit record of
when they ended: their thread counts as closed long ago."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.choices import ApplicationStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Message, Notification
from marketplace.services import application_transitions
from marketplace.services import applications as services
from tests.marketplace.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

CLOSED = [ApplicationStatus.WITHDRAWN, ApplicationStatus.DECLINED, ApplicationStatus.EXPIRED]
OPEN = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.ACCEPTED]


def closed_message(status) -> str:
    label = ApplicationStatus(status).label.lower()
    return (
        f"This application is {label}, so its thread is closed: the messages stay here to read, "
        "and no new ones can be sent."
    )


@pytest.fixture
def application_in(cast, capability):
    def make(status):
        decision = {"decline_reason": "other", "decline_note": "Not now."} if status == "declined" else {}
        application = ApplicationFactory(sme=cast.sme, capability=capability, status=status, **decision)
        Message.objects.create(
            application=application, sender=cast.dan.user, sender_organization=cast.platform, body="Earlier word."
        )
        return application

    return make


@pytest.mark.parametrize("status", CLOSED)
@pytest.mark.parametrize("side", ["bob", "dan"])
def test_the_service_refuses_a_message_on_a_closed_application(cast, application_in, status, side):
    application = application_in(status)

    with pytest.raises(TransitionNotAllowed) as refused:
        services.message_send(membership=getattr(cast, side), application_id=application.pk, body="One more thing")

    assert str(refused.value) == closed_message(status)
    assert list(application.messages.values_list("body", flat=True)) == ["Earlier word."]
    assert not Notification.objects.exists()


@pytest.mark.parametrize("status", OPEN)
def test_open_and_accepted_threads_take_messages(cast, application_in, status):
    application = application_in(status)
    services.message_send(membership=cast.bob, application_id=application.pk, body="When do we start?")
    assert application.messages.count() == 2


@pytest.mark.parametrize("status", CLOSED)
def test_the_page_shows_the_thread_without_the_form(cast, login, application_in, status):
    application = application_in(status)
    page = login(cast.bob).get(reverse("marketplace:application_detail", args=[application.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Earlier word." in html
    assert closed_message(status) in html
    assert 'id="message-form"' not in html


def test_the_page_offers_the_form_while_open(cast, login, application_in):
    application = application_in(ApplicationStatus.ACCEPTED)
    html = login(cast.bob).get(reverse("marketplace:application_detail", args=[application.pk])).content.decode()
    assert 'id="message-form"' in html
    assert "thread is closed" not in html


@pytest.mark.parametrize("fragment", [False, True])
def test_a_posted_message_is_refused_with_the_reason(cast, login, application_in, fragment):
    application = application_in(ApplicationStatus.DECLINED)
    headers = {"HTTP_X_TANDEM_FRAGMENT": "thread"} if fragment else {}
    client = login(cast.bob)

    response = client.post(
        reverse("marketplace:application_message", args=[application.pk]), {"body": "Please reconsider"}, **headers
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("marketplace:application_detail", args=[application.pk])
    page = client.get(response["Location"])
    assert page.content.decode().count(closed_message(ApplicationStatus.DECLINED)) >= 1
    assert application.messages.count() == 1


def test_the_reason_reads_in_chinese(cast, login, application_in):
    application = application_in(ApplicationStatus.WITHDRAWN)
    page = login(cast.bob).get(
        reverse("marketplace:application_detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "会话已关闭" in page.content.decode()


@pytest.mark.parametrize("status", CLOSED)
def test_the_api_answers_409_with_the_reason_and_still_lists_the_thread(api, cast, application_in, status):
    application = application_in(status)
    client = api(cast.dan)
    url = reverse("api:application-messages", args=[application.pk])

    response = client.post(url, {"body": "Any news?"}, format="json")

    assert response.status_code == 409
    assert response.json()["message"] == closed_message(status)
    assert [item["body"] for item in client.get(url).json()["results"]] == ["Earlier word."]


class TestLastWords:
    """Withdrawn through the service (an audit record says when): a week of
    last words, then closed."""

    def withdrawn(self, cast, capability):
        application = ApplicationFactory(sme=cast.sme, capability=capability)
        return application_transitions.application_withdraw(membership=cast.alice, application_id=application.pk)

    def test_the_other_side_may_answer_just_after(self, cast, capability):
        application = self.withdrawn(cast, capability)
        services.message_send(membership=cast.dan, application_id=application.pk, body="Good luck!")
        assert application.messages.count() == 1

    def test_the_thread_closes_after_the_grace_days(self, cast, capability, settings, monkeypatch):
        settings.APPLICATION_THREAD_GRACE_DAYS = 7
        application = self.withdrawn(cast, capability)
        later = timezone.now() + timedelta(days=7, minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)

        with pytest.raises(TransitionNotAllowed):
            services.message_send(membership=cast.dan, application_id=application.pk, body="Still there?")
        assert not application.messages.exists()
