from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CapabilityKind(models.TextChoices):
    API = "api", _("API")
    COMPUTE = "compute", _("Computing power")
    DATA = "data", _("Data set")
    MODEL = "model", _("Model")
    TOOL = "tool", _("Tool")
    EXPERTISE = "expertise", _("Expertise")


class AccessModel(models.TextChoices):
    OPEN = "open", pgettext_lazy("access to a capability", "Open")
    FREE_QUOTA = "free_quota", _("Free quota")
    PAID = "paid", _("Paid")
    REVENUE_SHARE = "revenue_share", _("Revenue share")
    BY_APPLICATION = "by_application", _("By application")


class DataClassification(models.TextChoices):
    """Data classes of China's Data Security Law (core data is never listed)."""

    PUBLIC = "public", _("Public")
    GENERAL = "general", _("General")
    IMPORTANT = "important", _("Important")


class ListingStatus(models.TextChoices):
    """States of capabilities and needs."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    PUBLISHED = "published", _("Published")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")
    SUSPENDED = "suspended", _("Suspended")


class NeedVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PLATFORMS_ONLY = "platforms_only", _("Platforms only")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


OPEN_APPLICATION_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
# Where the two sides may still write: while the application is open, and
# once accepted (the collaboration is arranged there). Withdrawn, declined and
# expired applications keep their thread to read, closed to new messages.
THREAD_OPEN_STATUSES = (*OPEN_APPLICATION_STATUSES, ApplicationStatus.ACCEPTED)


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    CAPACITY_FULL = "capacity_full", _("Capacity is full")
    USE_CASE_UNCLEAR = "use_case_unclear", _("Use case unclear")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    PRICING = "pricing", _("Pricing")
    OTHER = "other", _("Other")


class InvitationStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("invitation state", "Open")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NotificationKind(models.TextChoices):
    MODERATION = "moderation", _("Moderation decision")
    APPLICATION_NEW = "application_new", _("New application")
    APPLICATION_DECISION = "application_decision", _("Decision on an application")
    APPLICATION_WITHDRAWN = "application_withdrawn", _("Application withdrawn")
    APPLICATION_EXPIRED = "application_expired", _("Application expired")
    MESSAGE_NEW = "message_new", _("New message")
    INVITATION_NEW = "invitation_new", _("Invitation to apply")
    INVITATION_ANSWERED = "invitation_answered", _("Answer to an invitation")


# What the audit trail records (AuditEvent.action), in words for the admin.
AUDIT_ACTIONS = {
    "create": pgettext_lazy("audit action", "Created"),
    "edit": pgettext_lazy("audit action", "Edited"),
    "edit_resubmit": pgettext_lazy("audit action", "Edited, back to review"),
    "submit": pgettext_lazy("audit action", "Submitted"),
    "retract": pgettext_lazy("audit action", "Taken back from review"),
    "publish": pgettext_lazy("audit action", "Published"),
    "request_changes": pgettext_lazy("audit action", "Changes requested"),
    "reject": pgettext_lazy("audit action", "Rejected"),
    "archive": pgettext_lazy("audit action", "Archived"),
    "suspend": pgettext_lazy("audit action", "Suspended"),
    "reinstate": pgettext_lazy("audit action", "Reinstated"),
    "start_review": pgettext_lazy("audit action", "Review started"),
    "accept": pgettext_lazy("audit action", "Accepted"),
    "decline": pgettext_lazy("audit action", "Declined"),
    "withdraw": pgettext_lazy("audit action", "Withdrawn"),
    "expire": pgettext_lazy("audit action", "Expired"),
    "invite": pgettext_lazy("audit action", "Invited"),
    "accepted": pgettext_lazy("audit action", "Invitation accepted"),
    "declined": pgettext_lazy("audit action", "Invitation declined"),
    "withdrawn": pgettext_lazy("audit action", "Invitation withdrawn"),
}

# Every state a listing, an application or an invitation can be in (the
# codes they share have the same label).
RECORD_STATES = {**dict(ListingStatus.choices), **dict(ApplicationStatus.choices), **dict(InvitationStatus.choices)}
