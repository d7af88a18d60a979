"""Writing the planned demo through the services, as its people would have:
organisations and owners, listings walked to their states by their owners and
a moderator, invitations, applications and their threads.

Whatever exists already is left alone (listings are found by organisation and
title, applications by SME and capability, invitations by capability and
need), so a second run writes nothing. Each service call is noted in the
``History`` with its planned time.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.choices import PLATFORM, SME, Role
from accounts.models import Membership, Organization, User
from accounts.services import organization_create, organization_verify
from demo.seed.backdate import History
from demo.seed.plan import ApplicationPlan, InvitationPlan, ListingPlan, OrgPlan, Plan
from marketplace.choices import InvitationStatus
from marketplace.errors import TransitionNotAllowed
from marketplace.models import Application, Capability, Invitation, Message, Need
from marketplace.services.applications import application_submit, application_transition, message_send
from marketplace.services.invitations import invitation_decline, invitation_send
from marketplace.services.listings import listing_create, listing_transition


def apply_organizations(plans: list[OrgPlan], *, admin: User, password_hash: str, created: dict) -> dict:
    """Organisations and their owners; returns {credit code: owner Membership}."""
    existing = {
        organization.credit_code: organization
        for organization in Organization.objects.filter(credit_code__in=[plan.credit_code for plan in plans])
    }
    users = {
        user.email: user for user in User.objects.filter(email__in=[p.owner_email for p in plans if p.owner_email])
    }
    to_verify = []
    for plan in plans:
        if plan.credit_code in existing or not plan.owner_email:
            continue
        user = users.get(plan.owner_email)
        if user is None:
            # Not user_create: that hashes the password once per user (about a second
            # each); every demo owner shares one hash of the published demo password.
            user = User(email=plan.owner_email, display_name=plan.owner_name, preferred_language=plan.owner_language)
            user.password = password_hash
            user.full_clean()
            user.save()
            created["users"] += 1
        membership = organization_create(owner=user, kind=plan.kind, credit_code=plan.credit_code, **plan.fields)
        existing[plan.credit_code] = membership.organization
        created["organizations"] += 1
        if plan.verified:
            to_verify.append(plan.credit_code)
    if to_verify:
        organization_verify(organizations=Organization.objects.filter(credit_code__in=to_verify), admin=admin)
    # Reset the password every run so the published demo logins always work.
    User.objects.filter(email__in=[plan.owner_email for plan in plans if plan.owner_email]).update(
        password=password_hash
    )
    owners = {}
    memberships = (
        Membership.objects.filter(organization__credit_code__in=[plan.credit_code for plan in plans], role=Role.OWNER)
        .select_related("user", "organization")
        .order_by("created_at", "pk")
    )
    for membership in memberships:
        owners.setdefault(membership.organization.credit_code, membership)
    return owners


def pending_listings(plans: list[ListingPlan], owners: dict) -> list[tuple[ListingPlan, Membership]]:
    """The planned listings that do not exist yet, with their owners' memberships."""
    if not plans:
        return []
    organization_ids = {membership.organization_id for membership in owners.values()}
    existing = set(
        plans[0].model.objects.filter(organization_id__in=organization_ids).values_list("organization_id", "title")
    )
    pending = []
    for plan in plans:
        owner = owners.get(plan.org.credit_code)
        if owner is not None and (owner.organization_id, plan.fields["title"]) not in existing:
            pending.append((plan, owner))
    return pending


def apply_listing(plan: ListingPlan, owner: Membership, admin: User, history: History) -> None:
    """Create one listing and walk it to its planned state through the services."""
    model = plan.model
    listing = listing_create(model=model, membership=owner, fields=plan.fields, tag_names=plan.tags)
    history.step(plan.times[0])
    times = {"created_at": plan.times[0], "updated_at": plan.times[-1]}
    for (action, by_owner), time in zip(plan.steps, plan.times[1:], strict=True):
        if by_owner:
            listing_transition(model=model, pk=listing.pk, action=action, user=owner.user, membership=owner)
        else:
            reason = plan.reason if action in ("request_changes", "reject", "suspend") else ""
            listing_transition(model=model, pk=listing.pk, action=action, user=admin, reason=reason)
        history.step(time)
        if action == "submit":
            times["submitted_at"] = time  # the last submission counts
        if action == "publish":
            times.setdefault("published_at", time)
    history.set(model, listing.pk, **times)


class Exchanges:
    """Invitations, applications and messages of the plan, written through the services."""

    def __init__(self, plan: Plan, owners: dict, history: History, created: dict):
        self.plan, self.owners, self.history, self.created = plan, owners, history, created
        organization_ids = {membership.organization_id for membership in owners.values()}
        self.capabilities = {
            (organization_id, title): (pk, terms_version if terms_text else None)
            for pk, organization_id, title, terms_version, terms_text in Capability.objects.filter(
                organization_id__in=organization_ids
            ).values_list("pk", "organization_id", "title", "terms_version", "terms_text")
        }
        self.needs = {
            (organization_id, title): pk
            for pk, organization_id, title in Need.objects.filter(organization_id__in=organization_ids).values_list(
                "pk", "organization_id", "title"
            )
        }
        self.applied = set(
            Application.objects.filter(sme_id__in=organization_ids).values_list("sme_id", "capability_id")
        )
        self.invited = set(
            Invitation.objects.filter(need__organization_id__in=organization_ids).values_list(
                "capability_id", "need_id"
            )
        )
        self.invitations = {}  # id(InvitationPlan) → pk, for those sent now

    def _owner(self, org: OrgPlan) -> Membership | None:
        return self.owners.get(org.credit_code)

    def _capability(self, listing: ListingPlan) -> tuple[int | None, int | None]:
        """(pk, terms version to accept) of a planned capability, (None, None) when it is not there."""
        owner = self._owner(listing.org)
        if owner is None:
            return None, None
        return self.capabilities.get((owner.organization_id, listing.fields["title"]), (None, None))

    def _need(self, listing: ListingPlan | None) -> int | None:
        owner = listing and self._owner(listing.org)
        return self.needs.get((owner.organization_id, listing.fields["title"])) if owner else None

    def write(self) -> None:
        for invitation in self.plan.invitations:
            self._send(invitation)
        for application in self.plan.applications:
            sme, (capability_id, _terms) = self._owner(application.sme), self._capability(application.capability)
            if sme is None or capability_id is None or (sme.organization_id, capability_id) in self.applied:
                continue
            try:
                # One savepoint per application: should the demo have been changed by
                # hand (a capability archived, a question added), the pair is skipped whole.
                with transaction.atomic(), self.history.attempt():
                    self._apply(application)
            except (ValidationError, PermissionDenied, TransitionNotAllowed):
                continue
            self.applied.add((sme.organization_id, capability_id))
        for invitation in self.plan.invitations:
            pk = self.invitations.get(id(invitation))
            if pk is not None and invitation.outcome == InvitationStatus.DECLINED:
                invitation_decline(membership=self._owner(invitation.need.org), invitation_id=pk)
                self.history.step(invitation.answered)
                self.history.set(Invitation, pk, answered_at=invitation.answered)

    def _send(self, plan: InvitationPlan) -> None:
        platform, (capability_id, _terms), need_id = (
            self._owner(plan.capability.org),
            self._capability(plan.capability),
            self._need(plan.need),
        )
        if platform is None or capability_id is None or need_id is None or (capability_id, need_id) in self.invited:
            return
        try:
            with self.history.attempt():
                invitation = invitation_send(
                    membership=platform, capability_id=capability_id, need_id=need_id, message=plan.message
                )
                self.history.step(plan.sent)
        except (ValidationError, PermissionDenied, TransitionNotAllowed):
            return  # the listing was changed by hand since the demo was planned
        self.history.set(Invitation, invitation.pk, created_at=plan.sent)
        self.invited.add((capability_id, need_id))
        self.invitations[id(plan)] = invitation.pk
        self.created["invitations"] += 1

    def _apply(self, plan: ApplicationPlan) -> None:
        sides = {SME: self._owner(plan.sme), PLATFORM: self._owner(plan.capability.org)}
        capability_id, terms_version = self._capability(plan.capability)
        invitation_id = self.invitations.get(id(plan.invitation)) if plan.invitation else None
        application, messages = None, {}
        for step in plan.steps:
            actor = sides.get(step.side)
            if step.action == "submit":
                application = application_submit(
                    membership=actor,
                    capability_id=capability_id,
                    intended_use=plan.intended_use,
                    answer=plan.answer,
                    message=plan.message,
                    need_id=self._need(plan.need),
                    accepted_terms_version=terms_version,
                    invitation_id=invitation_id,
                )
            elif step.action == "message":
                messages[message_send(membership=actor, application_id=application.pk, body=step.body).pk] = step.time
            else:
                application_transition(
                    pk=application.pk,
                    action=step.action,
                    user=actor.user if actor else None,
                    membership=actor,
                    reason=plan.decline_reason if step.action == "decline" else "",
                    note=plan.decline_note if step.action == "decline" else "",
                )
            self.history.step(step.time)
        start, end = plan.steps[0].time, plan.steps[-1].time
        times = {"created_at": start, "terms_accepted_at": start, "updated_at": end}
        decided = [step.time for step in plan.steps if step.action in ("accept", "decline")]
        if decided:
            times["decided_at"] = decided[0]
        self.history.set(Application, application.pk, **times)
        for pk, time in messages.items():
            self.history.set(Message, pk, created_at=time)
        if invitation_id is not None:
            self.history.set(Invitation, invitation_id, answered_at=start)
        self.created["applications"] += 1
        self.created["messages"] += len(messages)
