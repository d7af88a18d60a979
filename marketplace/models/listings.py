"""Capabilities (what platforms open) and needs (what SMEs look for)."""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.choices import Industry, OrganizationKind, Province, SizeBand
from config.choices import ChoiceLabelsMixin
from marketplace.choices import AccessModel, CapabilityKind, DataClassification, ListingStatus, NeedVisibility
from marketplace.fields import ChoiceSetField

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


def money_range_constraints(prefix: str, low: str, high: str) -> list[models.CheckConstraint]:
    """Database checks for an optional money range: 0 ≤ low ≤ high."""
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{low}__isnull": True}) | models.Q(**{f"{low}__gte": 0}),
            name=f"{prefix}_min_nonnegative",
        ),
        models.CheckConstraint(
            condition=models.Q(**{f"{high}__isnull": True}) | models.Q(**{f"{high}__gte": 0}),
            name=f"{prefix}_max_nonnegative",
        ),
        models.CheckConstraint(
            condition=models.Q(**{f"{low}__isnull": True})
            | models.Q(**{f"{high}__isnull": True})
            | models.Q(**{f"{low}__lte": models.F(high)}),
            name=f"{prefix}_range",
        ),
    ]


def money_range_errors(instance, low: str, high: str, message) -> dict:
    """The form error for a range whose upper end is below its lower end."""
    low_value, high_value = getattr(instance, low), getattr(instance, high)
    if low_value is not None and high_value is not None and low_value > high_value:
        return {high: message}
    return {}


class ListingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=ListingStatus.PUBLISHED)


class Listing(ChoiceLabelsMixin, models.Model):
    """What capabilities and needs share: owner, text, tags, moderation state."""

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000)
    tags = models.ManyToManyField("marketplace.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    # When matching last started on this listing (set by matching's services);
    # a published listing updated since then missed its re-matching (the broker
    # was down, say) and matching.services.reconcile queues it again.
    matched_at = models.DateTimeField(_("last matched"), null=True, blank=True, editable=False)
    # The latest moderation reason, shown to the owner (the full trail is in AuditEvent).
    moderation_reason = models.TextField(_("moderation reason"), blank=True, max_length=2000)
    # Text prepared for search (words and Chinese character n-grams), kept by the services.
    search_document = models.TextField(_("search text"), editable=False, blank=True, default="")
    # The same for the title alone: what visitors who may not read a need's
    # description can search.
    search_title = models.TextField(_("search title"), editable=False, blank=True, default="")

    objects = ListingQuerySet.as_manager()

    # What differs between the two kinds, set by each; the services read
    # these instead of asking which model they hold.
    # The kind of organisation that owns this kind, and the refusal for the other.
    owner_kind: ClassVar[str]
    owner_kind_only: ClassVar[Promise]
    # The fields its owner sets (through the services' create and update).
    editable_fields: ClassVar[tuple[str, ...]]
    # Fields whose change is "substance": on a published listing of an
    # unverified organisation it sends the listing back to review.
    substance_fields: ClassVar[tuple[str, ...]]
    # Whether SMEs apply to it: when it stops being published, waiting applicants are told.
    takes_applications: ClassVar[bool]
    detail_url_name: ClassVar[str]

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ListingStatus.PUBLISHED


class Capability(Listing):
    kind = models.CharField(_("kind"), max_length=20, choices=CapabilityKind.choices)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences shown in lists."))
    industries = ChoiceSetField(
        _("industries"), choice_class=Industry, help_text=_("Leave empty if it suits every industry.")
    )
    regions = ChoiceSetField(_("regions served"), choice_class=Province, help_text=_("Leave empty for all of China."))
    access_model = models.CharField(_("access model"), max_length=20, choices=AccessModel.choices)
    price_notes = models.TextField(_("price notes"), blank=True, max_length=2000)
    price_min_monthly = models.DecimalField(
        _("lowest monthly price (CNY)"), null=True, blank=True, help_text=_("Indicative."), **MONEY
    )
    price_max_monthly = models.DecimalField(
        _("highest monthly price (CNY)"), null=True, blank=True, help_text=_("Indicative."), **MONEY
    )
    quota_sla = models.TextField(_("quota and service level"), blank=True, max_length=2000)
    eligible_size_bands = ChoiceSetField(
        _("eligible firm sizes"), choice_class=SizeBand, help_text=_("Leave empty if firms of every size may apply.")
    )
    requires_verification = models.BooleanField(_("only verified organisations may apply"), default=False)
    data_classification = models.CharField(
        _("data classification"), max_length=20, choices=DataClassification.choices, blank=True
    )
    application_question = models.CharField(
        _("question for applicants"),
        max_length=500,
        blank=True,
        help_text=_("If set, every applicant must answer it."),
    )
    terms_text = models.TextField(_("terms of use"), blank=True, max_length=20000)
    terms_version = models.PositiveIntegerField(_("terms version"), default=1)

    owner_kind = OrganizationKind.PLATFORM
    owner_kind_only = _("Only platform companies list capabilities.")
    editable_fields = (
        "kind", "title", "summary", "description", "industries", "regions", "access_model", "price_notes",
        "price_min_monthly", "price_max_monthly", "quota_sla", "eligible_size_bands", "requires_verification",
        "data_classification", "application_question", "terms_text",
    )  # fmt: skip
    substance_fields = (
        "title", "summary", "description", "kind", "terms_text", "application_question", "data_classification",
    )  # fmt: skip
    takes_applications = True
    detail_url_name = "marketplace:capability_detail"

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["-published_at", "-pk"]
        permissions = [("moderate_capability", _("Can moderate capabilities"))]
        indexes = [
            models.Index(fields=["status", "kind"], name="marketplace_cap_status_kind"),
            # Catalogue search's fingerprint of the searched listings (count,
            # latest change, highest id) from the index alone (marketplace.ranking).
            models.Index(fields=["status", "updated_at", "id"], name="marketplace_cap_status_chg"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ListingStatus.values), name="marketplace_capability_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CapabilityKind.values), name="marketplace_capability_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(access_model__in=AccessModel.values), name="marketplace_capability_access_valid"
            ),
            *money_range_constraints("marketplace_capability_price", "price_min_monthly", "price_max_monthly"),
            # Data sets must say how sensitive they are; other kinds must not.
            models.CheckConstraint(
                condition=(
                    models.Q(kind=CapabilityKind.DATA) & models.Q(data_classification__in=DataClassification.values)
                )
                | (~models.Q(kind=CapabilityKind.DATA) & models.Q(data_classification="")),
                name="marketplace_capability_data_classification",
            ),
        ]

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == CapabilityKind.DATA and not self.data_classification:
            errors["data_classification"] = _("Say how the data set is classified.")
        if self.kind != CapabilityKind.DATA:
            self.data_classification = ""
        errors |= money_range_errors(
            self, "price_min_monthly", "price_max_monthly", _("The highest price cannot be below the lowest.")
        )
        if errors:
            raise ValidationError(errors)


class Need(Listing):
    kinds_wanted = ChoiceSetField(_("kinds wanted"), choice_class=CapabilityKind, blank=False)
    industry = models.CharField(_("industry"), max_length=40, choices=Industry.choices)
    region = models.CharField(_("province or region"), max_length=20, choices=Province.choices)
    budget_min_monthly = models.DecimalField(_("budget from (CNY per month)"), null=True, blank=True, **MONEY)
    budget_max_monthly = models.DecimalField(_("budget up to (CNY per month)"), null=True, blank=True, **MONEY)
    desired_start = models.DateField(_("desired start"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"),
        max_length=20,
        choices=NeedVisibility.choices,
        default=NeedVisibility.PUBLIC,
        help_text=_(
            "Public needs show their title, kinds, industry and region to everyone; details only to platforms."
        ),
    )

    owner_kind = OrganizationKind.SME
    owner_kind_only = _("Only SMEs post needs.")
    editable_fields = (
        "title", "description", "kinds_wanted", "industry", "region", "budget_min_monthly", "budget_max_monthly",
        "desired_start", "visibility",
    )  # fmt: skip
    substance_fields = ("title", "description", "kinds_wanted")
    takes_applications = False
    detail_url_name = "marketplace:need_detail"

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-published_at", "-pk"]
        permissions = [("moderate_need", _("Can moderate needs"))]
        indexes = [models.Index(fields=["status", "updated_at", "id"], name="marketplace_need_status_chg")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ListingStatus.values), name="marketplace_need_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(visibility__in=NeedVisibility.values), name="marketplace_need_visibility_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(industry__in=Industry.values), name="marketplace_need_industry_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(region__in=Province.values), name="marketplace_need_region_valid"
            ),
            models.CheckConstraint(condition=~models.Q(kinds_wanted=""), name="marketplace_need_kinds_not_empty"),
            *money_range_constraints("marketplace_need_budget", "budget_min_monthly", "budget_max_monthly"),
        ]

    def clean(self):
        super().clean()
        errors = money_range_errors(
            self, "budget_min_monthly", "budget_max_monthly", _("The upper budget cannot be below the lower one.")
        )
        if errors:
            raise ValidationError(errors)
