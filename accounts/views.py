"""HTML views for accounts: parse input, call one service or selector, render."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import api_tokens as tokens
from accounts import digest_tokens, limits, lockout, selectors, services, sign_in, tasks, two_factor
from accounts.choices import Role, SignInDoor
from accounts.decorators import membership_required
from accounts.forms import (
    ApiTokenForm,
    CanonicalPasswordResetForm,
    EmailAuthenticationForm,
    InvitationForm,
    InvitationSignUpForm,
    LockoutPasswordChangeForm,
    MembershipRoleForm,
    OrganizationCreateForm,
    OrganizationForm,
    OrganizationSwitchForm,
    ProfileForm,
    RecoveryCodesForm,
    SignInCodeForm,
    SignUpForm,
    TwoFactorDisableForm,
    TwoFactorSetupForm,
)
from accounts.models import normalize_email_address
from config import ratelimit
from config.celery import task_send
from config.forms import add_service_error
from config.ratelimit import by_address, rate_limited
from config.redirects import next_path, redirect_to_next
from config.views import bad_request_page

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
NEW_TOKEN_SESSION_KEY = "new_api_token"  # noqa: S105 - a session key name, not a secret
NEW_TOKEN_SHOWN_FOR = 300  # seconds


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SameSiteNextMixin(auth_views.RedirectURLMixin):
    """Django's sign-in and sign-out views follow ``next`` to any URL on the
    request's host; ours follow a path on this site only (config.redirects)."""

    def get_redirect_url(self, request: HttpRequest | None = None) -> str:
        return next_path(request or self.request, field=self.redirect_field_name) or ""  # type: ignore[attr-defined]


class LogoutView(SameSiteNextMixin, auth_views.LogoutView):
    """Sign out (POST), then to ``next`` when it is a path on this site."""


class TwoStepSignInMixin(SameSiteNextMixin):
    """The password step of a sign-in. When the account has two-factor
    authentication on (or must have it), the right password does not sign
    in: it starts a pending sign-in and sends the person to give a code (or
    to set two-factor up). Signing in switches the site to the user's
    preferred language. The password is checked under the lock-out
    (accounts.sign_in)."""

    door = SignInDoor.SITE

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if sign_in.sign_in_attempt(request=request, form=form, door=self.door):
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        second_step = two_factor.sign_in_second_step(user)
        if second_step is None:
            response = super().form_valid(form)
            set_language_cookie(response, user.preferred_language)
            return response
        two_factor.pending_sign_in_start(self.request.session, user=user, next_url=self.get_success_url())
        return redirect("accounts:login_code" if second_step == two_factor.ENTER_CODE else "accounts:login_setup")

    def form_invalid(self, form):
        return refused_sign_in(super().form_invalid(form), form)


class LoginView(TwoStepSignInMixin, auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = EmailAuthenticationForm


class AdminLoginView(TwoStepSignInMixin, auth_views.LoginView):
    """The Django admin's sign-in page and form (accounts/admin.py) with the
    same second step; the code is asked on the site's page, then the person
    goes on to the admin."""

    template_name = "admin/login.html"
    next_page = reverse_lazy("admin:index")  # type: ignore[assignment]  # Django takes a lazy URL
    door = SignInDoor.ADMIN


def sign_in_new_account(request, user, next_url: str):
    """Sign a just-registered person in and go on to ``next_url`` — unless
    they must use two-factor authentication (a platform's owner): then they
    set it up first, as at any sign-in, and arrive at ``next_url`` after."""
    user.backend = MODEL_BACKEND
    if two_factor.sign_in_second_step(user) == two_factor.SET_UP:
        two_factor.pending_sign_in_start(request.session, user=user, next_url=next_url)
        return redirect("accounts:login_setup")
    login(request, user, backend=MODEL_BACKEND)
    return redirect(next_url)


def refused_sign_in(response, form):
    """A refused sign-in form answers 400, or 429 with Retry-After when the
    account is locked out from this address."""
    response.status_code = 400
    for errors in form.errors.as_data().values():
        for error in errors:
            seconds = lockout.retry_after(error)
            if seconds:
                response.status_code = 429
                response["Retry-After"] = str(seconds)
    return response


def refused_by_limit(response, refusal: limits.Refusal):
    """A form refused by a rate limit (accounts.limits): its page with the
    message as a form error, 429 and Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.seconds)
    return response


class RefusedFormMixin:
    """Django's form views re-render a form with errors as 200; the project
    answers 400 (429 when the lock-out refused it), as its own views do."""

    def form_invalid(self, form):
        return refused_sign_in(super().form_invalid(form), form)


class PasswordChangeView(RefusedFormMixin, auth_views.PasswordChangeView):
    """The old password counts towards the sign-in lock-out; a refused form
    answers 400, or 429 when the lock-out refused it."""

    success_url = reverse_lazy("accounts:password_change_done")
    form_class = LockoutPasswordChangeForm

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if sign_in.password_change_attempt(request=request, form=form):
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        tokens.api_tokens_end_for_user(user=form.user)
        return response


class PasswordResetConfirmView(RefusedFormMixin, auth_views.PasswordResetConfirmView):
    """A new password ends the account's API tokens too (and, as Django does,
    its other sessions)."""

    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        tokens.api_tokens_end_for_user(user=form.user)
        return response


@method_decorator(rate_limited("password_reset", who=by_address), name="post")
class PasswordResetView(RefusedFormMixin, auth_views.PasswordResetView):
    """Ask for a reset link. Limited per address (429 past the limit) and per
    e-mail address: past that, no more mail is sent to it, but the page says
    the same as always, so it tells nobody whether the address has an
    account — and nobody can fill a stranger's inbox."""

    success_url = reverse_lazy("accounts:password_reset_done")
    form_class = CanonicalPasswordResetForm
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"

    def form_valid(self, form):
        recipient = normalize_email_address(form.cleaned_data["email"])
        if ratelimit.hit("password_reset", f"email:{recipient}") is not None:
            return redirect(self.get_success_url())
        # The link is built on SITE_URL, as in every other e-mail: Django's
        # would take the request's Host (port and all), which the asker sets.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


@rate_limited("signup", who=by_address)
def signup(request):
    """Sign-up answers the same whether or not the address has an account:
    to the page saying a message is on its way. A new account is created
    (signed in from the link in its welcome e-mail, where a platform's owner
    sets up two-factor authentication first, as at every sign-in); the owner
    of an existing one is told that someone tried, and nothing changes."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    organization_form = OrganizationCreateForm(request.POST or None, prefix="organization")
    if request.method == "POST" and form.is_valid() and organization_form.is_valid():
        email = form.cleaned_data["email"]
        existing = selectors.user_get_by_email(email=email)
        if existing is not None:
            make_password(form.cleaned_data["password1"])  # the same work, so the same time, as a new account
            transaction.on_commit(lambda: task_send(tasks.sign_up_attempt_send, existing.pk))
            return redirect("accounts:signup_done")
        try:
            membership = services.account_register(
                email=email,
                password=form.cleaned_data["password1"],
                display_name=form.cleaned_data["display_name"],
                preferred_language=request.LANGUAGE_CODE,
                organization_fields=organization_form.cleaned_data,
            )
        except ValidationError as error:
            add_service_error(error, form, organization_form)
        else:
            user_id = membership.user_id
            transaction.on_commit(lambda: task_send(tasks.sign_up_welcome_send, user_id))
            return redirect("accounts:signup_done")
    status = 400 if form.errors or organization_form.errors else 200
    context = {"form": form, "organization_form": organization_form}
    return render(request, "accounts/signup.html", context, status=status)


def signup_done(request):
    return render(request, "accounts/signup_done.html")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.user_update_profile(user=request.user, **form.cleaned_data)
        with translation.override(user.preferred_language):  # the next page is in it
            messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        set_language_cookie(response, user.preferred_language)
        return response
    context = {"form": form, "two_factor_on": two_factor.two_factor_enabled(request.user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


@login_required
def organization_create(request):
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = limits.organization_create_refusal(user=request.user)
        if refusal is not None:
            form.add_error(None, refusal.message)
            return refused_by_limit(
                render(request, "accounts/organization_create.html", {"form": form}, status=429), refusal
            )
        try:
            membership = services.organization_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(error, form)
        else:
            services.membership_set_current(
                user=request.user, session=request.session, organization_id=membership.organization_id
            )
            messages.success(request, _("%(org)s is registered.") % {"org": membership.organization})
            return redirect("accounts:organization_settings")
    return render(request, "accounts/organization_create.html", {"form": form}, status=400 if form.errors else 200)


@membership_required
def organization_settings(request):
    membership = request.membership
    form = OrganizationForm(request.POST or None, instance=membership.organization)
    if not membership.can_manage_members:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if not membership.can_manage_members:
            raise PermissionDenied(_("Only owners and managers can edit the organisation."))
        if form.is_valid():
            was_verified = membership.organization.is_verified
            organization = services.organization_update(actor=membership, **form.cleaned_data)
            messages.success(request, _("The organisation's details are saved."))
            if was_verified and not organization.is_verified:
                messages.warning(
                    request, _("You changed the legal name or credit code, so the organisation must be verified again.")
                )
            return redirect("accounts:organization_settings")
    return render(request, "accounts/organization_settings.html", {"form": form}, status=400 if form.errors else 200)


@membership_required
def members(request):
    membership = request.membership
    form = InvitationForm(request.POST or None, actor_role=membership.role)
    refusal = None
    if request.method == "POST":
        if not membership.can_manage_members:
            raise PermissionDenied(_("Only owners and managers can invite people."))
        if form.is_valid():
            try:
                invitation = services.membership_invite(actor=membership, **form.cleaned_data)
            except ValidationError as error:
                add_service_error(error, form)
            except limits.LimitReached as reached:
                refusal = reached.refusal
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:members")
    memberships = list(selectors.organization_members(organization=membership.organization))
    context = {
        "form": form,
        "memberships": memberships,
        "owner_count": sum(1 for member in memberships if member.role == Role.OWNER),
        "invitations": selectors.organization_pending_invitations(organization=membership.organization),
        "invitation_days": settings.MEMBERSHIP_INVITATION_MAX_AGE_DAYS,
        "roles": Role.choices,
    }
    response = render(request, "accounts/members.html", context, status=400 if form.errors else 200)
    return refused_by_limit(response, refusal) if refusal is not None else response


@require_POST
@membership_required
def member_role(request, pk: int):
    target = selectors.membership_get_for_actor(actor=request.membership, pk=pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        return bad_request_page(request, _("Choose a valid role."))
    try:
        services.membership_change_role(actor=request.membership, membership_id=target.pk, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.") % {"name": target.user, "role": Role(form.cleaned_data["role"]).label},
        )
    return redirect("accounts:members")


@require_POST
@membership_required
def member_remove(request, pk: int):
    target = selectors.membership_get_for_actor(actor=request.membership, pk=pk)
    leaving = target.pk == request.membership.pk
    try:
        services.membership_remove(actor=request.membership, membership_id=target.pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:members")
    if leaving:
        request.session.pop("current_organization_id", None)
        messages.success(request, _("You have left %(org)s.") % {"org": target.organization})
        return redirect("home")
    messages.success(request, _("%(name)s was removed.") % {"name": target.user})
    return redirect("accounts:members")


@require_POST
@membership_required
def invitation_revoke(request, pk: int):
    try:
        services.membership_invitation_revoke(actor=request.membership, invitation_id=pk)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The invitation was revoked."))
    return redirect("accounts:members")


def invitation_accept(request, token: str):
    try:
        invitation = selectors.membership_invitation_get_by_token(token=token)
    except ValidationError as error:
        return render(request, "accounts/invitation_invalid.html", {"error": error.messages[0]}, status=400)
    account_exists = selectors.user_exists_with_email(email=invitation.email)
    signup_form = None
    if not request.user.is_authenticated and not account_exists:
        signup_form = InvitationSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.membership_invitation_accept(invitation_id=invitation.pk, user=request.user)
            elif signup_form is not None and signup_form.is_valid():
                membership = services.account_register_by_invitation(
                    invitation_id=invitation.pk,
                    password=signup_form.cleaned_data["password1"],
                    display_name=signup_form.cleaned_data["display_name"],
                    preferred_language=request.LANGUAGE_CODE,
                )
            else:
                membership = None
        except PermissionDenied as error:
            return render(request, "accounts/invitation_invalid.html", {"error": str(error)}, status=403)
        except ValidationError as error:
            return render(request, "accounts/invitation_invalid.html", {"error": error.messages[0]}, status=400)
        if membership is not None:
            services.membership_set_current(
                user=membership.user, session=request.session, organization_id=membership.organization_id
            )
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organization})
            if request.user.is_authenticated:
                return redirect("home")
            return sign_in_new_account(request, membership.user, reverse("home"))
    context = {
        "invitation": invitation,
        "wrong_account": request.user.is_authenticated and request.user.email != invitation.email,
        "account_exists": account_exists,
        "signup_form": signup_form,
        "login_url": reverse("accounts:login") + "?next=" + request.path,
    }
    status = 400 if signup_form is not None and signup_form.errors else 200
    return render(request, "accounts/invitation_accept.html", context, status=status)


@require_POST
@login_required
def organization_switch(request):
    form = OrganizationSwitchForm(request.POST)
    if not form.is_valid():
        return bad_request_page(request, _("Choose an organisation."))
    membership = services.membership_set_current(
        user=request.user, session=request.session, organization_id=form.cleaned_data["organization"]
    )
    messages.success(request, _("You are now acting for %(org)s.") % {"org": membership.organization})
    return redirect_to_next(request, default="home")


def organization_public(request, pk: int):
    organization = selectors.organization_get_public(pk=pk)
    return render(request, "accounts/organization_public.html", {"organization": organization})


@never_cache
@membership_required
def api_tokens(request):
    """List the user's API tokens and create one. A new token is stored hashed:
    it is kept in the session only until the next request to this page (the
    one after the redirect), which shows it once if it is still live and at
    most a few minutes old; so a reload neither repeats the creation nor shows
    the token again. The page is never cached."""
    just_created = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    form = ApiTokenForm(request.POST or None, user=request.user)
    if (
        request.method == "POST"
        and form.is_valid()
        and sign_in.reauthentication_attempt(request=request, user=request.user, form=form, door=SignInDoor.API_TOKEN)
    ):
        try:
            token, raw = tokens.api_token_create(
                membership=request.membership,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            add_service_error(error, form)
        else:
            request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "token": raw, "at": time.time()}
            return redirect("accounts:api_tokens")
    all_tokens = tokens.api_tokens_for_user(user=request.user)
    fresh = request.method == "GET" and just_created and time.time() - just_created["at"] < NEW_TOKEN_SHOWN_FOR
    live = fresh and any(token.pk == just_created["id"] and token.is_active for token in all_tokens)
    new_token = just_created["token"] if live else None
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": all_tokens,
        "api_root": request.build_absolute_uri(reverse("api:root")),
    }
    return _refused(render(request, "accounts/api_tokens.html", context), form)


@require_POST
@membership_required
def api_token_revoke(request, pk: int):
    token = tokens.api_token_revoke(user=request.user, token_id=pk)
    messages.success(request, _("“%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:api_tokens")


# Two-factor authentication: the second step of signing in, and the
# person's own settings (accounts/two_factor.py).


def _pending_sign_in(request):
    """The sign-in waiting for its second step, or the answer for a request
    that has none: to the sign-in page (saying why if it timed out), or on
    if the person is signed in already."""
    try:
        pending = two_factor.pending_sign_in(request.session)
    except two_factor.PendingSignInExpired as expired:
        messages.info(request, _("Signing in took more than 5 minutes. For your safety, enter your password again."))
        return None, redirect(f"{reverse('accounts:login')}?{urlencode({'next': expired.next_url})}")
    if pending is None:
        return None, redirect(settings.LOGIN_REDIRECT_URL if request.user.is_authenticated else "accounts:login")
    return pending, None


def _complete_sign_in(request, pending: two_factor.PendingSignIn, redirect_to: str):
    """Both factors are done: now, and only now, sign in."""
    two_factor.pending_sign_in_end(request.session)
    login(request, pending.user, backend=pending.backend)
    # A URL, checked when the password was given; never a view name to reverse.
    response = HttpResponseRedirect(redirect_to)
    set_language_cookie(response, pending.user.preferred_language)
    return response


def _refused(response, form):
    """A form that failed answers 400, or 429 when the lock-out refused it."""
    return refused_sign_in(response, form) if form.errors else response


@never_cache
def login_code(request):
    pending, elsewhere = _pending_sign_in(request)
    if pending is None:
        return elsewhere
    second_step = two_factor.sign_in_second_step(pending.user)
    if second_step != two_factor.ENTER_CODE:  # two-factor was reset meanwhile
        return redirect("accounts:login_setup" if second_step == two_factor.SET_UP else "accounts:login")
    form = SignInCodeForm(request.POST or None, user=pending.user)
    proof = None
    if request.method == "POST" and form.is_valid():
        proof = sign_in.reauthentication_attempt(request=request, user=pending.user, form=form)
    if proof is not None:
        response = _complete_sign_in(request, pending, pending.next_url)
        if proof.code_accepted_by == two_factor.BY_RECOVERY_CODE:
            left = two_factor.recovery_codes_left(pending.user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a recovery code; %(count)d is left. Make new ones in your two-factor settings.",
                    "You signed in with a recovery code; %(count)d are left. Make new ones in your two-factor settings.",
                    left,
                )
                % {"count": left},
            )
        return response
    return _refused(render(request, "registration/login_code.html", {"form": form}), form)


def _setup_context(request, user, form) -> dict:
    secret = two_factor.enrolment_secret(request.session, user=user)
    return {
        "form": form,
        "qr_code": two_factor.qr_code_svg(
            two_factor.provisioning_uri(user=user, secret=secret),
            label=_("QR code to scan with your authenticator app"),
        ),
        "secret": two_factor.secret_display(secret),
        "account_name": user.email,
    }


def _enable(request, user, form):
    """Confirm the authenticator being set up; its recovery codes, or None
    (the errors are on the form)."""
    if not (request.method == "POST" and form.is_valid()):
        return None
    secret = two_factor.enrolment_secret(request.session, user=user)
    try:
        codes = two_factor.two_factor_enable(user=user, secret=secret, code=form.cleaned_data["code"])
    except ValidationError as error:
        add_service_error(error, form)
        return None
    two_factor.enrolment_end(request.session)
    return codes


@never_cache
def login_setup(request):
    """Signing in to an account that must have two-factor authentication and
    has not set it up: set it up now, then the sign-in completes."""
    pending, elsewhere = _pending_sign_in(request)
    if pending is None:
        return elsewhere
    second_step = two_factor.sign_in_second_step(pending.user)
    if second_step != two_factor.SET_UP:  # set up meanwhile (in another tab), or no longer required
        return redirect("accounts:login_code" if second_step == two_factor.ENTER_CODE else "accounts:login")
    form = TwoFactorSetupForm(request.POST or None)
    codes = _enable(request, pending.user, form)
    if codes is not None:
        response = _complete_sign_in(request, pending, reverse("accounts:two_factor_recovery_codes"))
        two_factor.new_recovery_codes_keep(request.session, codes, next_url=pending.next_url)
        return response
    context = _setup_context(request, pending.user, form)
    return render(request, "registration/login_setup.html", context, status=400 if form.errors else 200)


def _two_factor_page(request, *, regenerate_form=None, disable_form=None):
    user = request.user
    context = {
        "authenticator": two_factor.authenticator_for(user),
        "required": two_factor.two_factor_required(user),
        "codes_left": two_factor.recovery_codes_left(user),
        "regenerate_form": regenerate_form or RecoveryCodesForm(prefix="regenerate", user=user),
        "disable_form": disable_form or TwoFactorDisableForm(prefix="disable", user=user),
    }
    response = render(request, "accounts/two_factor.html", context)
    bound = regenerate_form or disable_form
    return _refused(response, bound) if bound else response


@never_cache
@login_required
def two_factor_settings(request):
    return _two_factor_page(request)


@never_cache
@login_required
def two_factor_setup(request):
    if two_factor.two_factor_enabled(request.user):
        messages.info(request, _("Two-factor authentication is already on for your account."))
        return redirect("accounts:two_factor")
    form = TwoFactorSetupForm(request.POST or None)
    codes = _enable(request, request.user, form)
    if codes is not None:
        two_factor.new_recovery_codes_keep(request.session, codes, next_url=reverse("accounts:two_factor"))
        messages.success(request, _("Two-factor authentication is on."))
        return redirect("accounts:two_factor_recovery_codes")
    context = _setup_context(request, request.user, form)
    return render(request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def two_factor_recovery_codes(request):
    """GET: the recovery codes just made, shown once. POST: make new ones
    (asks for a current code); the old ones stop working."""
    if request.method == "POST":
        form = RecoveryCodesForm(request.POST, prefix="regenerate", user=request.user)
        if not (form.is_valid() and sign_in.reauthentication_attempt(request=request, user=request.user, form=form)):
            return _two_factor_page(request, regenerate_form=form)
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user)
        except ValidationError as error:
            add_service_error(error, form)
            return _two_factor_page(request, regenerate_form=form)
        two_factor.new_recovery_codes_keep(request.session, codes, next_url=reverse("accounts:two_factor"))
        return redirect("accounts:two_factor_recovery_codes")
    fresh = two_factor.new_recovery_codes_take(request.session)
    if fresh is None:
        messages.info(request, _("Recovery codes are shown only once, when they are made. You can make new ones here."))
        return redirect("accounts:two_factor")
    codes, next_url = fresh
    return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next_url": next_url})


@require_POST
@login_required
def two_factor_disable(request):
    form = TwoFactorDisableForm(request.POST, prefix="disable", user=request.user)
    if form.is_valid() and sign_in.reauthentication_attempt(request=request, user=request.user, form=form):
        try:
            two_factor.two_factor_disable(user=request.user)
        except ValidationError as error:
            add_service_error(error, form)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:two_factor")
    return _two_factor_page(request, disable_form=form)


@require_POST
def language_set(request):
    """The footer's language switch (Django's set_language), remembered as a
    signed-in person's preferred language. A language the site does not
    offer is refused (Django's view would quietly ignore it)."""
    if request.POST.get("language") not in dict(settings.LANGUAGES):
        return bad_request_page(request, _("Choose one of the languages the site offers."))
    response = i18n.set_language(request)
    if response.has_header("Location"):
        response["Location"] = next_path(request) or reverse("home")
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response


# RFC 8058: mail clients POST the one-click unsubscribe without a CSRF token;
# the signed token in the URL is the credential, and it only turns mail off.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token: str):
    """The unsubscribe link of the weekly digest, no sign-in needed. GET only
    asks (mail scanners open links); POST, from the page's button or from the
    mail client's one-click header, turns the digest off. The page speaks the
    recipient's language, as the e-mail did: whoever clicks is the recipient."""
    try:
        user = digest_tokens.digest_unsubscribe_user(token=token)
    except ValidationError as error:
        return render(request, "accounts/unsubscribe_invalid.html", {"error": error.messages[0]}, status=400)
    template = "accounts/unsubscribe.html"
    if request.method == "POST":
        user = services.user_set_weekly_digest(user=user, on=False)
        template = "accounts/unsubscribe_done.html"
    with translation.override(user.preferred_language):
        response = render(request, template, {"recipient": user})
    response.headers["Content-Language"] = user.preferred_language
    return response
