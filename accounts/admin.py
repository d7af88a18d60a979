from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from accounts import services, two_factor
from accounts.api_tokens import api_tokens_revoke
from accounts.forms import (
    AdminLockoutAuthenticationForm,
    AdminUserChangeForm,
    AdminUserCreationForm,
    OrganizationAdminForm,
)
from accounts.models import (
    ApiToken,
    Membership,
    MembershipInvitation,
    Organization,
    SignInFailure,
    TwoFactorAuthenticator,
    User,
)
from accounts.views import AdminLoginView

# The admin's sign-in has the site's lock-out (accounts/lockout.py).
admin.site.login_form = AdminLockoutAuthenticationForm


@never_cache
@login_not_required
def admin_login(request, extra_context=None):
    """The admin's sign-in page, with two-factor authentication.

    AdminSite.login runs Django's own LoginView, which signs in as soon as
    the password is right; this takes its place (below) with the same page,
    form and context but AdminLoginView, which first asks staff for their
    code on the site's code page (or makes them set two-factor up) and then
    sends them on to the admin."""
    site = admin.site
    redirect_url = auth_views.LoginView().get_redirect_url(request) or reverse("admin:index", current_app=site.name)
    if request.method == "GET" and site.has_permission(request):
        return HttpResponseRedirect(redirect_url)
    context = {
        **site.each_context(request),
        "title": _("Log in"),
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        REDIRECT_FIELD_NAME: redirect_url,
        **(extra_context or {}),
    }
    request.current_app = site.name
    return AdminLoginView.as_view(extra_context=context, authentication_form=site.login_form)(request)


# An instance attribute: AdminSite.get_urls() routes admin/login/ to self.login.
admin.site.login = admin_login  # type: ignore[method-assign]  # the site's own sign-in, on purpose


def admin_password_change(request, extra_context=None):
    """Passwords are changed in one place, the site's page, where the old
    password counts towards the sign-in lock-out."""
    return HttpResponseRedirect(reverse("accounts:password_change"))


admin.site.password_change = admin_password_change  # type: ignore[method-assign]  # the site's own page


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    add_form = AdminUserCreationForm
    ordering = ["email"]
    list_display = [
        "email", "display_name", "preferred_language", "is_staff", "is_active", "two_factor_on", "date_joined",
    ]  # fmt: skip
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "two_factor_on")}),
        (_("Personal info"), {"fields": ("display_name", "preferred_language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined", "two_factor_on"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        authenticator = TwoFactorAuthenticator.objects.filter(user=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_two_factor=Exists(authenticator))

    @admin.display(description=_("two-factor authentication"), boolean=True, ordering="has_two_factor")
    def two_factor_on(self, user) -> bool:
        return user.has_two_factor

    @admin.action(description=_("Reset two-factor authentication (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """For people who lost their authenticator and recovery codes: they
        sign in with their password alone (or set two-factor up again, if
        they must have it). Each reset is in the user's history."""
        reset = two_factor.two_factor_reset(users=queryset)
        name = str(TwoFactorAuthenticator._meta.verbose_name)
        for user in reset:
            self.log_change(request, user, [{"deleted": {"name": name, "object": str(user)}}])
        count = len(reset)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d person.",
                "Two-factor authentication reset for %(count)d people.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class VerifiedFilter(admin.SimpleListFilter):
    title = _("verified")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("yes", _("Verified")), ("no", _("Not verified"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(verified_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(verified_at__isnull=True)
        return queryset


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = [
        "legal_name",
        "kind",
        "credit_code",
        "size_band",
        "industry",
        "province",
        "verified_at",
        "created_at",
    ]
    list_filter = ["kind", VerifiedFilter, "size_band", "industry", "province"]
    search_fields = ["legal_name", "credit_code", "website", "memberships__user__email"]
    readonly_fields = ["created_at", "verified_at", "verified_by"]
    inlines = [MembershipInline]
    actions = ["verify"]
    date_hierarchy = "created_at"

    @admin.action(description=_("Verify selected organisations"), permissions=["verify"])
    def verify(self, request, queryset):
        verified = services.organization_verify(organizations=queryset, admin=request.user)
        for organization in verified:
            self.log_change(request, organization, [{"changed": {"fields": ["verified_at", "verified_by"]}}])
        count = len(verified)
        self.message_user(
            request,
            ngettext("%(count)d organisation verified.", "%(count)d organisations verified.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_verify_permission(self, request) -> bool:
        return request.user.has_perm("accounts.verify_organization")

    def save_model(self, request, obj, form, change):
        changed = frozenset(form.changed_data) if change else frozenset()
        services.organization_save_by_admin(organization=obj, changed=changed)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization__kind"]
    search_fields = ["user__email", "user__display_name", "organization__legal_name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]


@admin.register(MembershipInvitation)
class MembershipInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "sent_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__legal_name"]
    list_select_related = ["organization"]
    readonly_fields = ["created_at", "sent_at", "accepted_at", "revoked_at", "invited_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are made and revoked by their owners on their settings page;
    admins can see them and revoke them (after a leak), nothing else."""

    list_display = ["name", "prefix", "membership", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "membership__user__email", "membership__organization__legal_name"]
    list_select_related = ["membership__user", "membership__organization"]
    readonly_fields = ["membership", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(tokens=queryset)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins, read-only. Deleting an account's rows lifts its lock-out."""

    list_display = ["created_at", "username", "ip_address", "door"]
    list_filter = ["door"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
