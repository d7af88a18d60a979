"""The lock-out services (accounts/sign_in.py) on their own; the pages that
call them are tested in test_views.py, test_two_factor.py and
tests/security/test_abuse.py."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import sign_in
from accounts.choices import SignInDoor
from accounts.forms import ApiTokenForm, EmailAuthenticationForm, LockoutPasswordChangeForm
from accounts.models import SignInFailure

pytestmark = pytest.mark.django_db


def fail_five_times(request, email):
    for _attempt in range(5):
        SignInFailure.objects.create(username=email, ip_address=request.META["REMOTE_ADDR"], door=SignInDoor.SITE)


class TestSignInAttempt:
    def form(self, request, password):
        return EmailAuthenticationForm(request, data={"username": "alice@example.com", "password": password})

    def test_the_right_password_signs_in_and_writes_nothing(self, rf, cast, password):
        request = rf.post("/")
        form = self.form(request, password)
        assert sign_in.sign_in_attempt(request=request, form=form, door=SignInDoor.SITE)
        assert form.get_user() == cast.alice.user
        assert not SignInFailure.objects.exists()

    def test_a_wrong_password_is_a_failure_at_its_door(self, rf, cast):
        request = rf.post("/")
        assert not sign_in.sign_in_attempt(request=request, form=self.form(request, "wrong"), door=SignInDoor.ADMIN)
        assert list(SignInFailure.objects.values_list("username", "door")) == [("alice@example.com", "admin")]

    def test_a_locked_pair_is_refused_before_the_password_is_checked(self, rf, cast, password):
        request = rf.post("/")
        fail_five_times(request, "alice@example.com")
        form = self.form(request, password)
        assert not sign_in.sign_in_attempt(request=request, form=form, door=SignInDoor.SITE)
        assert form.get_user() is None
        assert form.non_field_errors().as_data()[0].code == "locked"
        assert SignInFailure.objects.count() == 5


class TestPasswordChangeAttempt:
    def form(self, user, old_password):
        data = {
            "old_password": old_password,
            "new_password1": "a new long passphrase",
            "new_password2": "a new long passphrase",
        }
        return LockoutPasswordChangeForm(user, data=data)

    def test_a_wrong_old_password_is_a_failure(self, rf, cast):
        request = rf.post("/")
        form = self.form(cast.alice.user, "wrong")
        assert not sign_in.password_change_attempt(request=request, form=form)
        assert form.errors["old_password"]
        assert list(SignInFailure.objects.values_list("door", flat=True)) == ["password_change"]

    def test_the_form_never_accepts_an_old_password_nobody_checked(self, cast, password):
        with pytest.raises(ImproperlyConfigured):
            self.form(cast.alice.user, password).is_valid()


class TestReauthenticationAttempt:
    def test_a_wrong_password_is_a_failure_and_the_right_one_passes(self, rf, cast, password):
        request = rf.post("/")
        user = cast.alice.user
        wrong = ApiTokenForm(data={"name": "ERP", "expires_in_days": "30", "password": "wrong"}, user=user)
        assert wrong.is_valid()
        assert (
            sign_in.reauthentication_attempt(request=request, user=user, form=wrong, door=SignInDoor.API_TOKEN) is None
        )
        assert wrong.errors["password"]
        assert list(SignInFailure.objects.values_list("door", flat=True)) == ["api_token"]
        right = ApiTokenForm(data={"name": "ERP", "expires_in_days": "30", "password": password}, user=user)
        assert right.is_valid()
        proof = sign_in.reauthentication_attempt(request=request, user=user, form=right, door=SignInDoor.API_TOKEN)
        assert proof == sign_in.Reauthentication(code_accepted_by=None)

    def test_a_locked_pair_is_refused_before_the_password_is_checked(self, rf, cast, password):
        request = rf.post("/")
        fail_five_times(request, "alice@example.com")
        user = cast.alice.user
        form = ApiTokenForm(data={"name": "ERP", "expires_in_days": "30", "password": password}, user=user)
        assert form.is_valid()
        assert sign_in.reauthentication_attempt(request=request, user=user, form=form) is None
        assert form.non_field_errors().as_data()[0].code == "locked"
        assert SignInFailure.objects.count() == 5
