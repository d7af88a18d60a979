"""Moderation in Django admin.

Listings are changed only through the state machine (marketplace.services.
listings): status fields are read-only here, and every decision is a bulk
action that asks for a reason where the owner must be told why.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Case, IntegerField, Value, When
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketplace.choices import AUDIT_ACTIONS, RECORD_STATES, ListingStatus
from marketplace.models import Application, AuditEvent, Capability, Invitation, Message, Need, Notification, Tag
from marketplace.services.listing_transitions import LISTING_ACTIONS, listing_moderate_many


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the owner will read"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), max_length=2000
    )


class ReviewQueueFilter(admin.SimpleListFilter):
    title = _("review queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("waiting", _("Waiting for review"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(status=ListingStatus.SUBMITTED)
        return queryset


def moderation_action(action: str, label):
    """A bulk admin action running one moderation transition on each selected
    listing; asks for a reason first when the transition requires one."""
    reason_required = LISTING_ACTIONS[action].reason_required

    def run(modeladmin, request, queryset):
        reason = ""
        if reason_required:
            form = ModerationReasonForm(request.POST if "apply" in request.POST else None)
            if not form.is_valid():
                context = {
                    **modeladmin.admin_site.each_context(request),
                    "title": label,
                    "form": form,
                    "action": action,
                    "queryset": queryset,
                    "opts": modeladmin.model._meta,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                }
                return TemplateResponse(request, "admin/marketplace/moderation_reason.html", context)
            reason = form.cleaned_data["reason"]
        done, errors = listing_moderate_many(
            listings=list(queryset),
            action=action,
            user=request.user,
            reason=reason,
        )
        if done:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d listing updated; its owner was notified.",
                    "%(count)d listings updated; their owners were notified.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )
        for error in errors:
            modeladmin.message_user(request, error, messages.WARNING)
        return None

    run.__name__ = action
    return admin.action(description=label, permissions=["moderate"])(run)


class ListingAdmin(admin.ModelAdmin):
    list_select_related = ["organization"]
    search_fields = ["title", "description", "organization__legal_name"]
    date_hierarchy = "created_at"
    exclude = ["search_document", "search_title"]
    actions = [
        moderation_action("publish", _("Publish")),
        moderation_action("request_changes", _("Request changes (with a reason)")),
        moderation_action("reject", _("Reject (with a reason)")),
        moderation_action("suspend", _("Suspend (with a reason)")),
        moderation_action("reinstate", _("Reinstate")),
    ]

    def get_queryset(self, request):
        # The review queue first: submitted items, oldest submission first.
        waiting = Case(
            When(status=ListingStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return super().get_queryset(request).annotate(waiting=waiting).order_by("waiting", "submitted_at", "-pk")

    def has_add_permission(self, request):
        return False  # listings are created by their organisations

    def has_delete_permission(self, request, obj=None):
        return False  # suspend instead: deleting would erase applications and history

    def get_readonly_fields(self, request, obj=None):
        # Content belongs to its organisation; moderators decide with the
        # actions, which go through the state machine and the audit trail.
        return [field.name for field in self.model._meta.fields if field.name != "search_document"] + ["tags"]

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm(f"marketplace.moderate_{self.model._meta.model_name}")


@admin.register(Capability)
class CapabilityAdmin(ListingAdmin):
    list_display = ["title", "organization", "kind", "access_model", "status", "submitted_at", "published_at"]
    list_filter = [ReviewQueueFilter, "status", "kind", "access_model"]


@admin.register(Need)
class NeedAdmin(ListingAdmin):
    list_display = ["title", "organization", "industry", "region", "visibility", "status", "submitted_at"]
    list_filter = [ReviewQueueFilter, "status", "visibility", "industry", "region"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CodeFilter(admin.SimpleListFilter):
    """A filter on a coded field that lists its codes in words."""

    labels: dict = {}

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in self.labels.items()]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class AuditActionFilter(CodeFilter):
    title, parameter_name, labels = _("action"), "action", AUDIT_ACTIONS


class AuditStateFilter(CodeFilter):
    title, parameter_name, labels = _("to"), "to_state", RECORD_STATES


def _in_words(labels: dict, code: str) -> str:
    return labels.get(code, code)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor",
        "organization",
        "content_type",
        "object_id",
        "action_in_words",
        "from_in_words",
        "to_in_words",
        "reason",
    ]
    list_filter = [AuditActionFilter, "content_type", AuditStateFilter]
    search_fields = ["reason", "actor__email", "organization__legal_name"]
    list_select_related = ["actor", "organization", "content_type"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-pk"]

    @admin.display(description=_("action"), ordering="action")
    def action_in_words(self, event):
        return _in_words(AUDIT_ACTIONS, event.action)

    @admin.display(description=_("from"), ordering="from_state")
    def from_in_words(self, event):
        return _in_words(RECORD_STATES, event.from_state)

    @admin.display(description=_("to"), ordering="to_state")
    def to_in_words(self, event):
        return _in_words(RECORD_STATES, event.to_state)


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "sender", "sender_organization", "body"]
    readonly_fields = ["created_at", "sender", "sender_organization", "body"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["capability", "sme", "status", "decline_reason", "created_at", "decided_at"]
    list_filter = ["status", "decline_reason"]
    search_fields = ["capability__title", "sme__legal_name"]
    list_select_related = ["capability", "sme"]
    inlines = [MessageInline]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["capability", "need", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["capability", "need"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    """Tags are made from what organisations type; renaming one here could
    collide with another's key, so they are read-only."""

    list_display = ["name", "key"]
    search_fields = ["name", "key"]
