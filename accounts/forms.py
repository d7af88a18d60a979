from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganizationKind, Role
from accounts.models import Organization, User
from accounts.validators import normalize_credit_code


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


class SignUpForm(PasswordPairMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    email = forms.EmailField(
        label=_("Work e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["display_name", "email", "password1", "password2"]

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists. Log in instead."))
        return email


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["legal_name", "credit_code", "size_band", "industry", "province", "website", "description"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "credit_code": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])


class OrganizationCreateForm(OrganizationForm):
    kind = forms.ChoiceField(
        label=_("The organisation is"),
        choices=OrganizationKind.choices,
        widget=forms.RadioSelect,
    )

    class Meta(OrganizationForm.Meta):
        fields = ["kind", *OrganizationForm.Meta.fields]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language"]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        if actor_role != Role.OWNER:
            self.fields["role"].choices = [(value, label) for value, label in Role.choices if value != Role.OWNER]


class InvitationSignUpForm(PasswordPairMixin):
    display_name = forms.CharField(label=_("Your name"), max_length=100)
    field_order = ["display_name", "password1", "password2"]

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def password_user(self) -> User:
        return User(email=self.email, display_name=self.cleaned_data.get("display_name", ""))
