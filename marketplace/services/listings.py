"""Capabilities and needs: create and edit them.

What differs between the two kinds is on the models (``owner_kind``,
``editable_fields``, ``substance_fields``, …). Their state changes are in
services.listing_transitions.
"""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from marketplace.choices import ListingStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models.listings import Capability, Listing
from marketplace.search import build_document
from marketplace.services.audit import audit_record
from marketplace.services.tags import tags_get_or_create
from marketplace.signals import listing_changed, listing_withdrawn

# Owners may edit in these states; editing never changes state except as below.
# Not while submitted: a moderator must decide on the text they read (the owner
# can retract the listing to draft first).
EDITABLE = frozenset({ListingStatus.DRAFT, ListingStatus.CHANGES_REQUESTED, ListingStatus.PUBLISHED})


def listing_label(model: type[Listing]) -> str:
    return str(model._meta.verbose_name)


def listing_url(listing: Listing) -> str:
    return reverse(listing.detail_url_name, args=[listing.pk])


def _differs(model: type[Listing], name: str, old, new) -> bool:
    """Compare as stored: ["b", "a"] and ["a", "b"] are the same set, 500 and 500.00 the same price."""
    field = cast(Field, model._meta.get_field(name))  # an editable field of its own, not a reverse relation
    return field.get_prep_value(old) != field.get_prep_value(new)


def _refresh_search_document(listing: Listing) -> None:
    tag_names = " ".join(tag.name for tag in listing.tags.all())
    texts = [listing.title, getattr(listing, "summary", ""), listing.description, tag_names]
    listing.search_document = build_document(*texts)
    listing.search_title = build_document(listing.title)
    # updated_at too: catalogue search caches the words it read under the
    # listings' latest change (marketplace.ranking).
    listing.save(update_fields=["search_document", "search_title", "updated_at"])


def listing_require_owner(membership: Membership | None, listing: Listing) -> None:
    if membership is None or membership.organization_id != listing.organization_id:
        raise PermissionDenied(
            _("Only the organisation that owns this %(thing)s can do that.") % {"thing": listing_label(type(listing))}
        )


def listing_require_kind(*, membership: Membership, model: type[Listing]) -> None:
    """Only platforms list capabilities and only SMEs post needs (403)."""
    if membership.organization.kind != model.owner_kind:
        raise PermissionDenied(str(model.owner_kind_only))


@transaction.atomic
def listing_create(*, model: type[Listing], membership: Membership, fields: dict, tag_names: list[str]) -> Listing:
    """Create a draft capability (platforms) or need (SMEs). Side effect: an audit event."""
    listing_require_kind(membership=membership, model=model)
    listing = model(
        organization=membership.organization,
        created_by=membership.user,
        status=ListingStatus.DRAFT,
        **{name: value for name, value in fields.items() if name in model.editable_fields},
    )
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    listing.tags.set(tags_get_or_create(names=tag_names))
    _refresh_search_document(listing)
    audit_record(
        actor=membership.user,
        target=listing,
        organization=listing.organization,
        action="create",
        to_state=ListingStatus.DRAFT,
    )
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, membership: Membership, fields: dict, tag_names: list[str]) -> Listing:
    """Edit a listing (its owner). A published listing of an unverified
    organisation whose substance changed goes back to review; new terms get a
    new version. Side effects: an audit event; re-matching after commit when
    it is or was published."""
    model = type(listing)
    locked = model.objects.select_for_update().filter(pk=listing.pk).first()
    if locked is None:
        raise PermissionDenied(_("No such %(thing)s.") % {"thing": listing_label(model)})
    listing = locked
    listing_require_owner(membership, listing)
    if listing.status not in EDITABLE:
        raise TransitionNotAllowed(
            _("A %(thing)s that is %(status)s cannot be edited.")
            % {"thing": listing_label(model), "status": listing.get_status_display().lower()}
        )
    changed = [
        name
        for name in model.editable_fields
        if name in fields and _differs(model, name, getattr(listing, name), fields[name])
    ]
    old_tags = {tag.key for tag in listing.tags.all()}
    terms_changed = "terms_text" in changed
    for name in changed:
        setattr(listing, name, fields[name])
    if terms_changed:
        cast(Capability, listing).terms_version += 1  # only capabilities have terms
    listing.full_clean(exclude=["search_document", "search_title"])
    listing.save()
    tags = tags_get_or_create(names=tag_names)
    listing.tags.set(tags)
    _refresh_search_document(listing)
    substance = [name for name in changed if name in model.substance_fields] or ({t.key for t in tags} != old_tags)
    if listing.status == ListingStatus.PUBLISHED and substance and not membership.organization.is_verified:
        listing.status = ListingStatus.SUBMITTED
        listing.submitted_at = timezone.now()
        listing.save(update_fields=["status", "submitted_at"])
        audit_record(
            actor=membership.user,
            target=listing,
            organization=listing.organization,
            action="edit_resubmit",
            from_state=ListingStatus.PUBLISHED,
            to_state=ListingStatus.SUBMITTED,
            reason=_("Edited by an unverified organisation; back to review."),
        )
        listing_withdrawn.send(sender=model, listing=listing)
    elif changed or substance:
        if listing.status == ListingStatus.PUBLISHED:
            listing_changed.send(sender=model, listing=listing)
        audit_record(
            actor=membership.user,
            target=listing,
            organization=listing.organization,
            action="edit",
            from_state=listing.status,
            to_state=listing.status,
            reason=", ".join(changed),
        )
    return listing
