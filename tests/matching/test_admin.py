"""Matches and rankers in Django admin: read-only lists, the rebuild button,
and the actions that switch the active ranker."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from matching.ml.features import FEATURES
from matching.ml.ranker import PRIOR
from matching.models import Match, RankerModel, weights_digest
from matching.services import rankers
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MATCHES = reverse("admin:matching_match_changelist")
RANKERS = reverse("admin:matching_rankermodel_changelist")
REBUILD = reverse("admin:matching_match_rebuild")


def ranker(version, *, budget=4.0, active=False):
    """A stored ranker that weighs the budget fit ``budget`` and the text 1."""
    weights = {
        "features": list(FEATURES),
        "weights": [1.0 if name == "text" else budget if name == "budget" else 0.0 for name in FEATURES],
        "intercept": -2.0,
        "logistic": True,
    }
    return RankerModel.objects.create(
        version=version,
        weights=weights,
        digest=weights_digest(weights),
        label_counts={"labels": 120},
        metrics={"ndcg_candidate": 0.9, "ndcg_active": 0.6},
        is_active=active,
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_viewer(db):
    """Staff who may look at matches and rankers but change nothing."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_match", "view_rankermodel"], content_type__app_label="matching")
    )
    return user


class TestLists:
    def test_the_admin_sees_matches_and_the_rebuild_button(self, login, cast, catalogue, needs):
        response = login(cast.mallory).get(MATCHES)
        assert response.status_code == 200
        html = response.content.decode()
        assert needs.invoice.title in html and catalogue.ocr.title in html
        assert f'action="{REBUILD}"' in html
        assert response.context["cl"].result_count == 3

    def test_the_admin_sees_rankers_with_their_figures(self, login, cast):
        ranker(1)
        tampered = ranker(2)
        RankerModel.objects.filter(pk=tampered.pk).update(weights={**tampered.weights, "intercept": 5.0})
        response = login(cast.mallory).get(RANKERS)
        assert response.status_code == 200
        html = response.content.decode()
        assert "0.900" in html and "0.600" in html
        assert 'value="activate"' in html and 'value="deactivate"' in html
        # weights intact: one yes, one no
        assert html.count('alt="True"') >= 1 and html.count('alt="False"') >= 1

    def test_matches_and_rankers_are_read_only(self, login, cast, catalogue, needs):
        client = login(cast.mallory)
        match = Match.objects.first()
        assert client.get(reverse("admin:matching_match_add")).status_code == 403
        assert client.get(reverse("admin:matching_rankermodel_add")).status_code == 403
        before = (match.score, match.rank)
        response = client.post(reverse("admin:matching_match_change", args=[match.pk]), {"score": "0.99", "rank": "7"})
        assert response.status_code == 403
        match.refresh_from_db()
        assert (match.score, match.rank) == before
        assert client.post(reverse("admin:matching_match_delete", args=[match.pk]), {"post": "yes"}).status_code == 403
        assert Match.objects.filter(pk=match.pk).exists()

    @pytest.mark.parametrize("role", ["alice", "dan"])
    def test_users_who_are_not_staff_are_sent_to_the_admin_login(self, login, cast, role):
        response = login(getattr(cast, role)).get(MATCHES)
        assert response.status_code == 302
        assert reverse("admin:login") in response.url


class TestRebuildButton:
    def test_the_admin_queues_a_rebuild(
        self, login, cast, catalogue, needs, snapshot, django_capture_on_commit_callbacks
    ):
        expected = snapshot()
        Match.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.mallory).post(REBUILD)
        assert response.status_code == 302
        assert response.url == MATCHES
        assert "A rebuild of every match is queued." in messages_of(response)
        assert snapshot() == expected

    def test_get_is_refused(self, login, cast, catalogue, needs, django_capture_on_commit_callbacks):
        Match.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = login(cast.mallory).get(REBUILD)
        assert response.status_code == 405
        assert not Match.objects.exists()

    def test_staff_without_the_permission_cannot_rebuild(
        self, client, staff_viewer, catalogue, needs, django_capture_on_commit_callbacks
    ):
        client.force_login(staff_viewer)
        assert client.get(MATCHES).status_code == 200
        Match.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(REBUILD)
        assert response.status_code == 403
        assert callbacks == []
        assert not Match.objects.exists()

    def test_anonymous_is_sent_to_the_admin_login(self, client, catalogue, needs, django_capture_on_commit_callbacks):
        Match.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(REBUILD)
        assert response.status_code == 302
        assert reverse("admin:login") in response.url
        assert not Match.objects.exists()


class TestRankerActions:
    def act(self, client, action, *models, capture):
        with capture(execute=True):
            return client.post(RANKERS, {"action": action, "_selected_action": [model.pk for model in models]})

    def test_activating_makes_exactly_one_ranker_active_and_rescores(
        self, login, cast, catalogue, needs, django_capture_on_commit_callbacks
    ):
        client = login(cast.mallory)
        first, second = ranker(1), ranker(2, budget=8.0)
        response = self.act(client, "activate", first, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 302
        assert "Ranker 1 is active; matches are being rebuilt." in messages_of(response)
        assert list(RankerModel.objects.filter(is_active=True)) == [first]
        assert set(Match.objects.values_list("ranker_version", flat=True)) == {1}
        self.act(client, "activate", second, capture=django_capture_on_commit_callbacks)
        assert list(RankerModel.objects.filter(is_active=True).values_list("version", flat=True)) == [2]
        assert RankerModel.objects.get(version=2).activated_at is not None
        assert rankers.scorer_active()[1] == 2
        assert set(Match.objects.values_list("ranker_version", flat=True)) == {2}

    def test_activating_two_at_once_is_refused(self, login, cast, django_capture_on_commit_callbacks):
        first, second = ranker(1, active=True), ranker(2)
        response = self.act(login(cast.mallory), "activate", first, second, capture=django_capture_on_commit_callbacks)
        assert "Select exactly one ranker to activate." in messages_of(response)
        assert list(RankerModel.objects.filter(is_active=True)) == [first]

    def test_a_ranker_whose_weights_fail_their_digest_is_refused(
        self, login, cast, catalogue, needs, django_capture_on_commit_callbacks
    ):
        good, tampered = ranker(1, active=True), ranker(2)
        RankerModel.objects.filter(pk=tampered.pk).update(weights={**tampered.weights, "intercept": 50.0})
        response = self.act(login(cast.mallory), "activate", tampered, capture=django_capture_on_commit_callbacks)
        assert "This ranker's weights fail their check; it cannot be used." in messages_of(response)
        assert list(RankerModel.objects.filter(is_active=True)) == [good]
        assert rankers.scorer_active()[1] == 1

    def test_a_ranker_that_cannot_be_loaded_is_refused(
        self, login, cast, catalogue, needs, django_capture_on_commit_callbacks
    ):
        good, stale = ranker(1, active=True), ranker(2)
        weights = {**stale.weights, "features": [*FEATURES, "distance"], "weights": [*stale.weights["weights"], 1.0]}
        RankerModel.objects.filter(pk=stale.pk).update(weights=weights, digest=weights_digest(weights))
        self.act(login(cast.mallory), "activate", stale, capture=django_capture_on_commit_callbacks)
        assert list(RankerModel.objects.filter(is_active=True)) == [good]

    def test_deactivating_returns_to_the_prior(self, login, cast, catalogue, needs, django_capture_on_commit_callbacks):
        client = login(cast.mallory)
        model = ranker(1)
        self.act(client, "activate", model, capture=django_capture_on_commit_callbacks)
        assert set(Match.objects.values_list("ranker_version", flat=True)) == {1}
        response = self.act(client, "deactivate", model, capture=django_capture_on_commit_callbacks)
        assert "The prior scores matches again; matches are being rebuilt." in messages_of(response)
        assert not RankerModel.objects.filter(is_active=True).exists()
        assert rankers.scorer_active() == (PRIOR, 0)
        assert set(Match.objects.values_list("ranker_version", flat=True)) == {0}

    def test_staff_who_are_not_superusers_cannot_switch_rankers(
        self, client, staff_viewer, django_capture_on_commit_callbacks
    ):
        client.force_login(staff_viewer)
        active, other = ranker(1, active=True), ranker(2)
        html = client.get(RANKERS).content.decode()
        assert 'value="activate"' not in html and 'value="deactivate"' not in html
        response = self.act(client, "activate", other, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 200  # the list again: no such action for them
        self.act(client, "deactivate", active, capture=django_capture_on_commit_callbacks)
        assert list(RankerModel.objects.filter(is_active=True)) == [active]
