from typing import TYPE_CHECKING, cast

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AdminUserCreationForm as DjangoAdminUserCreationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, UserChangeForm
from django.core import validators
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts import two_factor
from accounts.choices import OrganizationKind, Role
from accounts.models import Organization, User, normalize_email_address
from accounts.validators import CREDIT_CODE_LENGTH, normalize_credit_code
from config.forms import UserTextFormMixin, validate_plain_email_address


class CreditCodeFormField(forms.CharField):
    """Accepts a credit code as people type or paste it (spaces, hyphens,
    lower case) and cleans it to the canonical 18 characters."""

    def __init__(self, **kwargs):
        kwargs["max_length"] = CREDIT_CODE_LENGTH * 2  # room for separators
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"})
        return attrs

    def to_python(self, value):
        return normalize_credit_code(super().to_python(value))


class NormalizedEmailField(forms.EmailField):
    """An address in its canonical form (accounts.models.normalize_email_address),
    refused when it is not plain ASCII there (a look-alike of another address)."""

    default_validators = [*forms.EmailField.default_validators, validate_plain_email_address]

    def to_python(self, value):
        return normalize_email_address(super().to_python(value))


def value_as_typed(form: forms.Form, name: str):
    """One field of a bound form cleaned on its own, without the form's other
    checks (None when it is not valid): what a service decides on before the
    form is validated."""
    try:
        return form.fields[name].clean(form[name].data)
    except forms.ValidationError:
        return None


if TYPE_CHECKING:
    # What LockoutMixin is mixed into, for the type checker (at run time a plain mixin).
    _LockoutBase = AuthenticationForm
else:
    _LockoutBase = object


class LockoutMixin(_LockoutBase):
    """An AuthenticationForm that the lock-out can refuse before it checks
    the password: accounts.sign_in.sign_in_attempt decides (and records
    each wrong password); the form reports the refusal."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = None
        # AuthenticationForm sets the username's max_length after building the
        # field, so nothing checks it: a 100,000-character address reached the
        # database (SQLite refuses so long a LIKE pattern: a server error).
        username = self.fields["username"]
        username.validators.append(validators.MaxLengthValidator(username.max_length))

    def username_as_typed(self) -> str | None:
        return value_as_typed(self, "username")

    def refuse(self, error: forms.ValidationError) -> None:
        """Refuse the sign-in with ``error`` instead of checking the password."""
        self.refusal = error

    def clean(self):
        if self.refusal is not None:
            raise self.refusal
        return super().clean()


class EmailAuthenticationForm(LockoutMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account. Passwords are case-sensitive."),
    }


class AdminLockoutAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    """The admin's sign-in form with the same lock-out as the site's."""


class CanonicalPasswordResetForm(PasswordResetForm):
    """Django's reset form finds accounts with ``email__iexact`` (PostgreSQL's
    UPPER()); this one by the canonical address, as sign-in does, and
    refuses a look-alike address as sign-up does."""

    email = NormalizedEmailField(
        label=PasswordResetForm.base_fields["email"].label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def get_users(self, email):
        for user in User.objects.filter(email=normalize_email_address(email), is_active=True):
            if user.has_usable_password():
                yield user


class PasswordPairMixin(forms.Form):
    """Two password fields that must match and pass the password validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User:
        """An unsaved user the validators compare the password against."""
        return User(email=self.cleaned_data.get("email", ""), display_name=self.cleaned_data.get("display_name", ""))

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                try:
                    password_validation.validate_password(password1, self.password_user())
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class SignUpForm(UserTextFormMixin, PasswordPairMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    email = NormalizedEmailField(
        label=_("Work e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]
    # No check that the address is free: sign-up answers the same either
    # way (accounts.views.signup), and the address's owner is told by e-mail.


class OrganizationForm(UserTextFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["legal_name", "credit_code", "size_band", "industry", "province", "website", "description"]
        field_classes = {"credit_code": CreditCodeFormField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}


class OrganizationCreateForm(OrganizationForm):
    kind = forms.ChoiceField(
        label=_("The organisation is"),
        choices=OrganizationKind.choices,
        widget=forms.RadioSelect,
    )

    class Meta(OrganizationForm.Meta):
        fields = ["kind", *OrganizationForm.Meta.fields]


class ProfileForm(UserTextFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language", "weekly_digest"]
        labels = {"weekly_digest": _("Send me the weekly e-mail digest")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own words (English, 简体中文), as the footer shows
        # them: a reader finds their language whatever the page's language.
        self.fields["preferred_language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


class InvitationForm(UserTextFormMixin, forms.Form):
    email = NormalizedEmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        if actor_role != Role.OWNER:
            cast(forms.ChoiceField, self.fields["role"]).choices = [
                (value, label) for value, label in Role.choices if value != Role.OWNER
            ]


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class OrganizationSwitchForm(forms.Form):
    # Bounded so that absurd numbers are a form error, not a database overflow.
    organization = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class AdminUserCreationForm(DjangoAdminUserCreationForm):
    email = NormalizedEmailField(label=_("E-mail address"))

    class Meta:
        model = User
        fields = ["email", "display_name"]


class AdminUserChangeForm(UserChangeForm):
    email = NormalizedEmailField(label=_("E-mail address"))

    class Meta:
        model = User
        fields = "__all__"


class OrganizationAdminForm(UserTextFormMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind", "legal_name", "credit_code", "size_band", "industry", "province", "website", "description",
        ]  # fmt: skip
        field_classes = {"credit_code": CreditCodeFormField}


class InvitationSignUpForm(UserTextFormMixin, PasswordPairMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    field_order = ["display_name", "password1", "password2"]

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def password_user(self) -> User:
        return User(email=self.email, display_name=self.cleaned_data.get("display_name", ""))


class ReauthenticationMixin:
    """A form that asks the signed-in (or half signed-in) person ``user`` to
    prove who they are again: their password, when the form has a
    ``password`` field, and a two-factor code, when it has a ``code`` field.
    The form checks their shape; accounts.sign_in.reauthentication_attempt
    checks them against the account, under the lock-out."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not two_factor.code_is_well_formed(code):
            raise forms.ValidationError(
                _("Enter the 6-digit code from your authenticator app, or one of your recovery codes."),
                code="malformed",
            )
        return code


class LockoutPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked like a
    sign-in by accounts.sign_in.password_change_attempt (under the lock-out);
    the form reports its verdict."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.old_password_checked = False
        self.old_password_refusal = None

    def old_password_as_typed(self) -> str | None:
        return value_as_typed(self, "old_password")

    def old_password_verdict(self, refusal: forms.ValidationError | None) -> None:
        """The service's verdict on the old password: None accepts it."""
        self.old_password_checked = True
        self.old_password_refusal = refusal

    def clean_old_password(self):
        # Fails closed: this form never accepts an old password nobody checked.
        if not self.old_password_checked:
            raise ImproperlyConfigured("Check the old password with accounts.sign_in.password_change_attempt().")
        if self.old_password_refusal is not None:
            raise self.old_password_refusal
        return self.cleaned_data["old_password"]


def current_password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


CODE_HELP = _("A code from your authenticator app, or an unused recovery code.")


def two_factor_code_field(help_text=CODE_HELP) -> forms.CharField:
    return forms.CharField(
        label=_("Authentication code"),
        max_length=40,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class SignInCodeForm(ReauthenticationMixin, forms.Form):
    """The second step of signing in."""

    code = two_factor_code_field(
        _("The 6-digit code your authenticator app shows for Tandem, or one of your recovery codes.")
    )


class TwoFactorSetupForm(forms.Form):
    """Confirms a new authenticator with one of its codes (checked by
    two_factor.two_factor_enable)."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6 digits the app shows for Tandem now."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not two_factor.code_is_well_formed(code, recovery_allowed=False):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."), code="malformed")
        return code


class RecoveryCodesForm(ReauthenticationMixin, forms.Form):
    """Making new recovery codes asks for a current code."""

    code = two_factor_code_field()


class TwoFactorDisableForm(ReauthenticationMixin, forms.Form):
    password = current_password_field()
    code = two_factor_code_field()


class ApiTokenForm(ReauthenticationMixin, UserTextFormMixin, forms.Form):
    """A token acts as its maker, so making one asks for the password again
    (and a two-factor code when two-factor is on): a session left open on
    someone else's computer cannot be turned into a lasting credential."""

    name = forms.CharField(
        label=pgettext_lazy("name of a thing", "Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “ERP sync” or “Portal integration”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            ("30", _("In 30 days")),
            ("90", _("In 90 days")),
            ("365", _("In a year")),
            ("", pgettext_lazy("expiry", "Never")),
        ],
        initial="90",
    )
    password = current_password_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if two_factor.two_factor_enabled(self.user):
            self.fields["code"] = two_factor_code_field()
