"""The events the lower apps announce (their ``signals.py``) and what matching
does with them (``matching/receivers.py``)."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.dispatch import Signal

from accounts.models import Organization
from accounts.services import organization_update, organization_verify
from accounts.signals import organization_changed
from matching import tasks
from matching.services.hooks import matching_deferred

ROOT = Path(settings.BASE_DIR)


def declared_signals() -> list[tuple[str, Signal]]:
    """Every Signal declared in a signals.py of one of the project's own apps."""
    found = []
    for config in apps.get_app_configs():
        if Path(config.path).parent != ROOT or not (Path(config.path) / "signals.py").exists():
            continue
        module = importlib.import_module(f"{config.name}.signals")
        found += [
            (f"{config.name}.signals.{name}", value)
            for name, value in vars(module).items()
            if isinstance(value, Signal)
        ]
    return found


def test_the_apps_declare_their_events():
    names = {name for name, _signal in declared_signals()}
    assert {
        "accounts.signals.organization_changed",
        "marketplace.signals.listing_published",
        "marketplace.signals.listing_changed",
        "marketplace.signals.listing_withdrawn",
        "marketplace.signals.invitation_sent",
    } <= names


@pytest.mark.parametrize("name, signal", declared_signals(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_declared_signal_has_a_receiver(name, signal):
    assert signal.has_listeners(), f"{name} is sent but nobody listens: connect a receiver or remove it"


def queued(callbacks, monkeypatch) -> list[tuple[str, tuple]]:
    """The tasks the captured on-commit callbacks send, by name and arguments."""
    sent = []
    monkeypatch.setattr(
        "matching.services.hooks.task_send", lambda task, *args, **kwargs: sent.append((task.name, args))
    )
    for callback in callbacks:
        callback()
    return sent


@pytest.mark.django_db
def test_an_smes_size_change_rematches_its_needs(cast, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        organization_update(actor=cast.alice, size_band="medium")
    assert queued(callbacks, monkeypatch) == [(tasks.match_organization_needs.name, (cast.alice.organization_id,))]


@pytest.mark.django_db
def test_other_organisation_fields_do_not_concern_matching(cast, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        organization_update(actor=cast.alice, website="https://alice.example.com")
    assert queued(callbacks, monkeypatch) == []


@pytest.mark.django_db
def test_a_verification_rematches_the_needs(cast, moderator, monkeypatch, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    moderator.user_permissions.add(Permission.objects.get(codename="verify_organization"))
    moderator = type(moderator).objects.get(pk=moderator.pk)  # permissions are cached per instance
    heard = []
    organization_changed.connect(lambda sender, **kwargs: heard.append(kwargs["fields"]), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            organization_verify(
                organizations=Organization.objects.filter(pk=cast.alice.organization_id), admin=moderator
            )
    finally:
        organization_changed.disconnect(dispatch_uid="t")
    assert heard == [frozenset({"verified_at", "verified_by"})]
    assert queued(callbacks, monkeypatch) == [(tasks.match_organization_needs.name, (cast.alice.organization_id,))]


@pytest.mark.django_db
def test_nothing_is_queued_while_matching_is_deferred(cast, monkeypatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, matching_deferred():
        organization_update(actor=cast.alice, size_band="medium")
    # Only the one rebuild queued when the block ends.
    assert queued(callbacks, monkeypatch) == [(tasks.matches_rebuild.name, ())]
