"""Matches, rankers and digest deliveries in Django admin: read-only records,
with actions to switch the active ranker and a button to queue a rebuild."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from marketplace.admin import ReadOnlyAdmin
from matching.models import DigestDelivery, Match, RankerModel
from matching.services.hooks import matches_rebuild_queue
from matching.services.rankers import ranker_activate, ranker_loadable


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("need", "capability", "fit", "rank", "ranker_version", "sme_feedback", "platform_feedback")
    list_filter = ("sme_feedback", "platform_feedback", "ranker_version")
    search_fields = ("need__title", "capability__title")
    list_select_related = ("need", "capability")
    ordering = ("-computed_at", "need", "rank")
    change_list_template = "admin/matching/match/change_list.html"

    @admin.display(description=_("fit"), ordering="score")
    def fit(self, match):
        return f"{match.score_percent}%"  # as the pages show it

    def get_urls(self):
        rebuild = self.admin_site.admin_view(require_POST(self.rebuild_view))
        return [path("rebuild/", rebuild, name="matching_match_rebuild"), *super().get_urls()]

    def rebuild_view(self, request):
        if not request.user.has_perm("matching.change_match"):
            raise PermissionDenied
        matches_rebuild_queue()
        self.message_user(request, _("A rebuild of every match is queued."), messages.SUCCESS)
        return redirect("admin:matching_match_changelist")


@admin.register(RankerModel)
class RankerModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "created_at", "is_active", "labels", "ndcg_candidate", "ndcg_active", "digest_ok")
    list_filter = ("is_active",)
    readonly_fields = (
        "version",
        "created_at",
        "activated_at",
        "is_active",
        "label_counts",
        "metrics",
        "note",
        "weights",
        "digest",
    )
    actions = ("activate", "deactivate")

    @admin.display(description=_("labels"))
    def labels(self, obj):
        return obj.label_counts.get("labels")

    @admin.display(description=_("NDCG@10 held out"))
    def ndcg_candidate(self, obj):
        value = obj.metrics.get("ndcg_candidate")
        return None if value is None else f"{value:.3f}"

    @admin.display(description=_("NDCG@10 of the ranker it was compared with"))
    def ndcg_active(self, obj):
        value = obj.metrics.get("ndcg_active")
        return None if value is None else f"{value:.3f}"

    @admin.display(boolean=True, description=_("weights intact"))
    def digest_ok(self, obj):
        return obj.digest_ok

    def has_activate_permission(self, request):
        return request.user.is_superuser

    has_deactivate_permission = has_activate_permission

    @admin.action(description=_("Make the selected ranker the active one"), permissions=["activate"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one ranker to activate."), messages.ERROR)
            return
        model = queryset.get()
        if not model.digest_ok or not ranker_loadable(model):
            self.message_user(request, _("This ranker's weights fail their check; it cannot be used."), messages.ERROR)
            return
        ranker_activate(model=model)
        self.message_user(
            request, _("Ranker %(version)s is active; matches are being rebuilt.") % {"version": model.version}
        )

    @admin.action(description=_("Go back to the prior (no learnt ranker)"), permissions=["deactivate"])
    def deactivate(self, request, queryset):
        ranker_activate(model=None)
        self.message_user(request, _("The prior scores matches again; matches are being rebuilt."))


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("week", "user", "status", "item_count", "period_start", "period_end", "sent_at")
    list_filter = ("status", "week")
    search_fields = ("user__email", "user__display_name")
    list_select_related = ("user",)
    date_hierarchy = "week"
    readonly_fields = (
        "user",
        "week",
        "status",
        "item_count",
        "period_start",
        "period_end",
        "created_at",
        "sent_at",
        "error",
    )
