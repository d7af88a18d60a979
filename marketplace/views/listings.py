"""HTML views of the marketplace: parse input, call one selector or service, render."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import selectors as accounts_selectors
from accounts.decorators import membership_required
from config.forms import add_service_error
from config.fragments import render_page
from marketplace import selectors
from marketplace.errors import TransitionNotAllowed
from marketplace.forms import CapabilityForm, CatalogueFilterForm, ListingForm, NeedForm, NeedsFilterForm
from marketplace.models import Capability, Need
from marketplace.models.listings import Listing
from marketplace.services import listing_transitions
from marketplace.services import listings as listing_services

PAGE_SIZE = 20


@dataclass(frozen=True)
class ListingType:
    """What differs between the capability and the need pages (what differs
    in the rules is on the model: ``owner_kind``, ``editable_fields``, …)."""

    slug: str
    model: type[Listing]
    form: type[ListingForm]
    # selectors: (membership=, pk=) -> the listing, 404 unless it is the member's organisation's
    get_for_owner: Callable[..., Listing]
    # selectors: (membership=) -> the organisation's listings in every state
    of_organization: Callable[..., QuerySet]
    plural: Promise
    new_label: Promise


LISTING_TYPES = {
    "capabilities": ListingType(
        slug="capabilities",
        model=Capability,
        form=CapabilityForm,
        get_for_owner=selectors.capability_get_for_owner,
        of_organization=selectors.capabilities_of_organization,
        plural=gettext_lazy("Your capabilities"),
        new_label=gettext_lazy("List a capability"),
    ),
    "needs": ListingType(
        slug="needs",
        model=Need,
        form=NeedForm,
        get_for_owner=selectors.need_get_for_owner,
        of_organization=selectors.needs_of_organization,
        plural=gettext_lazy("Your needs"),
        new_label=gettext_lazy("Post a need"),
    ),
}
OWNER_ACTIONS = {
    "submit": (
        listing_transitions.listing_submit,
        gettext_lazy("Submitted for review. You will be notified of the decision."),
    ),
    "retract": (
        listing_transitions.listing_retract,
        gettext_lazy("Taken back from review: edit it, then submit it again."),
    ),
    "archive": (listing_transitions.listing_archive, gettext_lazy("Archived.")),
}


def paginate(request, queryset):
    # get_page turns a missing, non-numeric, negative or huge page number into
    # the first or last page instead of an error.
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request):
    context = {
        "counts": accounts_selectors.organization_counts(),
        "organizations": accounts_selectors.organizations_verified_newest(limit=6),
        "capabilities": selectors.capabilities_catalogue(sort="newest")[:6],
        "needs": selectors.needs_board(membership=getattr(request, "membership", None))[:6],
        "listing_counts": selectors.marketplace_counts(membership=getattr(request, "membership", None)),
    }
    return render(request, "home.html", context)


def catalogue(request):
    form = CatalogueFilterForm(request.GET)
    filters = form.filters()
    capabilities = selectors.capabilities_catalogue(**filters)
    page = paginate(request, capabilities)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    without_tag = query_string.copy()
    without_tag.pop("tag", None)
    facets = selectors.capability_facets(capabilities)
    form.label_choices_with_counts(facets)
    context = {
        "form": form,
        "page": page,
        "facets": facets,
        "query_string": query_string.urlencode(),
        "query_without_tag": without_tag.urlencode(),
        "filtered": any(filters[name] for name in ("kind", "industry", "region", "access_model"))
        or filters["budget"] is not None,
        "active_tag": filters["tag"],
    }
    return render_page(request, "marketplace/catalogue.html", context, partials=("results",))


def capability_detail(request, pk: int):
    capability = selectors.capability_get_for_viewer(user=request.user, membership=request.membership, pk=pk)
    context = {
        "capability": capability,
        "is_owner": selectors.listing_is_own(request.membership, capability),
        "open_application": selectors.open_application_for(membership=request.membership, capability=capability),
        "accepted_application": selectors.accepted_application_for(
            membership=request.membership, capability=capability
        ),
    }
    return render(request, "marketplace/capability_detail.html", context)


def needs_board(request):
    form = NeedsFilterForm(request.GET)
    filters = form.filters()
    needs = selectors.needs_board(membership=request.membership, **filters)
    page = paginate(request, needs)
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query_string.urlencode(),
        "shows_details": selectors.needs_board_shows_details(membership=request.membership),
        "filtered": any(filters[name] for name in ("kind", "industry", "region")),
    }
    return render_page(request, "marketplace/needs_board.html", context, partials=("results",))


def need_detail(request, pk: int):
    need = selectors.need_get_for_viewer(user=request.user, membership=request.membership, pk=pk)
    context = {
        "need": need,
        "shows_details": selectors.need_shows_details(need, request.user, request.membership),
        "is_owner": selectors.listing_is_own(request.membership, need),
    }
    return render(request, "marketplace/need_detail.html", context)


def _listing_type_for(request, slug: str) -> ListingType:
    listing_type = LISTING_TYPES[slug]
    if request.membership.organization.kind != listing_type.model.owner_kind:
        raise PermissionDenied(listing_type.model.owner_kind_only)
    return listing_type


@membership_required
def workspace_list(request, listing_type: str):
    listing_kind = _listing_type_for(request, listing_type)
    listings = listing_kind.of_organization(membership=request.membership)
    context = {
        "listing_type": listing_kind,
        "page": paginate(request, listings),
    }
    return render(request, "marketplace/workspace_list.html", context)


@membership_required
def listing_create(request, listing_type: str):
    listing_kind = _listing_type_for(request, listing_type)
    form = listing_kind.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = listing_services.listing_create(
                model=listing_kind.model,
                membership=request.membership,
                fields=form.service_fields(),
                tag_names=form.cleaned_data["tags"],
            )
        except ValidationError as error:
            add_service_error(error, form)
        else:
            messages.success(request, _("Saved as a draft. Submit it for review when it is ready."))
            return redirect(listing_services.listing_url(listing))
    context = {"form": form, "listing_type": listing_kind, "listing": None}
    return render(request, "marketplace/listing_form.html", context, status=400 if form.errors else 200)


@membership_required
def listing_edit(request, listing_type: str, pk: int):
    listing_kind = _listing_type_for(request, listing_type)
    listing = listing_kind.get_for_owner(membership=request.membership, pk=pk)
    if listing.status not in listing_services.EDITABLE:
        messages.error(
            request,
            _("It cannot be edited while it is %(status)s.") % {"status": listing.get_status_display().lower()}
            + (" " + _("Take it back from review first.") if listing.status == "submitted" else ""),
        )
        return redirect(listing_services.listing_url(listing))
    status_before = listing.status
    form = listing_kind.form(request.POST or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        try:
            listing = listing_services.listing_update(
                listing=listing,
                membership=request.membership,
                fields=form.service_fields(),
                tag_names=form.cleaned_data["tags"],
            )
        except ValidationError as error:
            add_service_error(error, form)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(listing_services.listing_url(listing))
        else:
            if listing.status != status_before:
                messages.info(request, _("Saved. Because your organisation is not verified yet, it is back in review."))
            else:
                messages.success(request, _("Saved."))
            return redirect(listing_services.listing_url(listing))
    context = {"form": form, "listing_type": listing_kind, "listing": listing}
    return render(request, "marketplace/listing_form.html", context, status=400 if form.errors else 200)


@require_POST
@membership_required
def listing_action(request, listing_type: str, pk: int, action: str):
    listing_kind = _listing_type_for(request, listing_type)
    listing = listing_kind.get_for_owner(membership=request.membership, pk=pk)
    if action not in OWNER_ACTIONS:
        raise PermissionDenied(_("Only moderators can do that."))
    service, done = OWNER_ACTIONS[action]
    try:
        listing = service(listing=listing, membership=request.membership)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(done))
    if action == "retract":
        return redirect(f"marketplace:{listing_kind.slug}_edit", pk=listing.pk)
    return redirect(listing_services.listing_url(listing))
