"""Applying, deciding, messaging, invitations and notifications."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import membership_required
from config.forms import add_service_error
from config.fragments import fragment_requested, render_page, vary_on_fragment
from config.ratelimit import rate_limited
from config.redirects import redirect_to_next, same_site_path
from marketplace import selectors
from marketplace.errors import TransitionNotAllowed
from marketplace.forms import (
    ApplicationForm,
    ApplicationsFilterForm,
    DeclineForm,
    InvitationForm,
    MessageForm,
)
from marketplace.services import application_transitions
from marketplace.services import applications as application_services
from marketplace.services import invitations as invitation_services
from marketplace.services import notifications as notification_services
from marketplace.services.independence import shared_member_refusal
from marketplace.views.listings import paginate

MAX_ID = 2**63 - 1


def parse_id(value: str) -> int | None:
    """A database id from user input, or None ("²" is a digit to Python, not an id)."""
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


# The transitions the application page offers without further input: the
# service, and what the person who acted reads.
APPLICATION_ACTIONS = {
    "start_review": (
        application_transitions.application_start_review,
        gettext_lazy("The application is now in review."),
    ),
    "accept": (application_transitions.application_accept, gettext_lazy("Accepted. The applicant has been told.")),
    "withdraw": (application_transitions.application_withdraw, gettext_lazy("Your application is withdrawn.")),
}


@membership_required
@rate_limited("application")
def application_apply(request, pk: int):
    capability = selectors.capability_get_for_viewer(user=request.user, membership=request.membership, pk=pk)
    if not request.membership.organization.is_sme:
        raise PermissionDenied(_("Only SMEs apply to capabilities."))
    existing = selectors.open_application_for(membership=request.membership, capability=capability)
    if existing is not None:
        messages.info(request, _("Your organisation already has an open application to this capability."))
        return redirect("marketplace:application_detail", pk=existing.pk)
    refusal = shared_member_refusal(sme=request.membership.organization, platform=capability.organization)
    if refusal is not None:
        # Said before the form is filled in, and a POST is refused the same way.
        context = {"capability": capability, "refusal": refusal}
        return render(request, "marketplace/application_form.html", context, status=_refused_status(request))
    invitation = None
    invitation_id = parse_id(request.GET.get("invitation", ""))
    if invitation_id is not None:
        invitation = selectors.invitation_get_for_sme(
            membership=request.membership, pk=invitation_id, capability=capability
        )
    needs = selectors.needs_to_apply_for(membership=request.membership)
    # A need chosen in advance: the invitation's, or the one whose suggestions led here.
    suggested_need = invitation.need_id if invitation else parse_id(request.GET.get("need", ""))
    initial = {"need": suggested_need} if suggested_need else {}
    form = ApplicationForm(request.POST or None, capability=capability, needs=needs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_services.application_submit(
                membership=request.membership,
                capability_id=capability.pk,
                invitation_id=invitation.pk if invitation else None,
                **form.service_arguments(),
            )
        except ValidationError as error:
            add_service_error(error, form)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Application sent. The platform has been notified."))
            return redirect("marketplace:application_detail", pk=application.pk)
    context = {"capability": capability, "form": form, "invitation": invitation}
    return render(request, "marketplace/application_form.html", context, status=400 if form.errors else 200)


def _refused_status(request) -> int:
    """A page that says why the action is not possible: 200 when asked for,
    409 when the action was posted anyway."""
    return 409 if request.method == "POST" else 200


@membership_required
def applications_list(request):
    membership = request.membership
    capabilities = selectors.capabilities_to_offer(membership=membership) if membership.organization.is_platform else ()
    form = ApplicationsFilterForm(request.GET, capabilities=list(capabilities))
    applications = selectors.applications_for_membership(membership=membership, **form.filters())
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {"form": form, "page": paginate(request, applications), "query_string": query_string.urlencode()}
    return render(request, "marketplace/applications_list.html", context)


def _application_page(request, application, *, decline_form=None, message_form=None, status=200):
    context = {
        "application": application,
        "is_platform": request.membership.organization_id == application.capability.organization_id,
        "thread": selectors.application_messages(application=application),
        "history": selectors.audit_history(target=application),
        "message_form": message_form or MessageForm(),
        "thread_closed": application_services.thread_closed_message(application),
        "decline_form": decline_form or DeclineForm(),
    }
    return render_page(request, "marketplace/application_detail.html", context, partials=("thread",), status=status)


@membership_required
def application_detail(request, pk: int):
    application = selectors.application_get_for_member(membership=request.membership, pk=pk)
    return _application_page(request, application)


@require_POST
@membership_required
def application_action(request, pk: int, action: str):
    application = selectors.application_get_for_member(membership=request.membership, pk=pk)
    if action == "decline":
        return _application_decline(request, application)
    if action not in APPLICATION_ACTIONS:
        raise PermissionDenied(_("Unknown action."))
    service, done = APPLICATION_ACTIONS[action]
    try:
        service(membership=request.membership, application_id=application.pk)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(done))
    return redirect("marketplace:application_detail", pk=application.pk)


def _application_decline(request, application):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        # Shown again with the choice kept and the error beside the field.
        return _application_page(request, application, decline_form=form, status=400)
    try:
        application_transitions.application_decline(
            membership=request.membership, application_id=application.pk, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_error(error, form)
        return _application_page(request, application, decline_form=form, status=400)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Declined. The applicant has been told why."))
    return redirect("marketplace:application_detail", pk=application.pk)


@require_POST
@membership_required
@rate_limited("message")
def application_message(request, pk: int):
    application = selectors.application_get_for_member(membership=request.membership, pk=pk)
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            application_services.message_send(
                membership=request.membership, application_id=application.pk, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            add_service_error(error, form)
        except TransitionNotAllowed as error:
            # The thread closed (withdrawn, declined, expired): the page, which
            # no longer offers the form, with the reason. The script follows
            # the redirect too.
            messages.error(request, str(error))
            return vary_on_fragment(redirect("marketplace:application_detail", pk=application.pk))
    if form.errors:
        return _application_page(request, application, message_form=form, status=400)
    if fragment_requested(request, "thread"):
        # The script shows the thread with the new message in place: nothing to flash.
        return _application_page(request, application)
    messages.success(request, _("Message sent."))
    return vary_on_fragment(redirect(reverse("marketplace:application_detail", args=[application.pk]) + "#thread"))


@membership_required
def invitations_list(request):
    invitations = selectors.invitations_for_membership(membership=request.membership)
    return render(request, "marketplace/invitations_list.html", {"page": paginate(request, invitations)})


@membership_required
def invitation_send(request, pk: int):
    """Platform staff invite the SME behind need ``pk`` to apply."""
    need = selectors.need_get_for_viewer(user=request.user, membership=request.membership, pk=pk)
    if not request.membership.organization.is_platform:
        raise PermissionDenied(_("Only platform companies invite SMEs."))
    refusal = shared_member_refusal(sme=need.organization, platform=request.membership.organization)
    if refusal is not None:
        context = {"need": need, "refusal": refusal}
        return render(request, "marketplace/invitation_form.html", context, status=_refused_status(request))
    capabilities = list(selectors.capabilities_to_offer(membership=request.membership))
    suggested = parse_id(request.GET.get("capability", ""))
    form = InvitationForm(
        request.POST or None, capabilities=capabilities, initial={"capability": suggested} if suggested else {}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation_services.invitation_send(
                membership=request.membership,
                capability_id=form.cleaned_data["capability"],
                need_id=need.pk,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            add_service_error(error, form)
        except TransitionNotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Invitation sent to %(org)s.") % {"org": need.organization.legal_name})
            return redirect("marketplace:need_detail", pk=need.pk)
    context = {"need": need, "form": form, "capabilities": capabilities}
    return render(request, "marketplace/invitation_form.html", context, status=400 if form.errors else 200)


@require_POST
@membership_required
def invitation_decline(request, pk: int):
    invitation = selectors.invitation_get_for_sme(membership=request.membership, pk=pk)
    try:
        invitation_services.invitation_decline(membership=request.membership, invitation_id=invitation.pk)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation declined. The platform has been told."))
    return redirect("marketplace:invitations")


@membership_required
def notifications_list(request):
    notifications = selectors.notifications_for_user(user=request.user)
    return render(request, "marketplace/notifications.html", {"page": paginate(request, notifications)})


# Browsers say where a request comes from (Sec-Fetch-Site): "same-origin"
# for a click on this site, "none" for a typed or bookmarked address.
OWN_NAVIGATION = {"same-origin", "none"}


@membership_required
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way: a read
    receipt, as opening a message does in mail and issue trackers. A GET
    that changes state, on purpose: only the person's own notification (404
    for any other), only its read mark, and only when the person opened it
    here (a link or a prefetch from another site, a HEAD, follow without
    marking). E-mails link to the page itself, not through here, so a mail
    scanner that follows links marks nothing. docs/SECURITY.md says so."""
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    opened_here = request.headers.get("Sec-Fetch-Site", "same-origin") in OWN_NAVIGATION
    if request.method == "GET" and opened_here and request.headers.get("Sec-Purpose", "") == "":
        notification_services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    return HttpResponseRedirect(same_site_path(notification.url) or reverse("marketplace:notifications"))


@require_POST
@membership_required
def notifications_mark_read(request):
    ids = [pk for pk in map(parse_id, request.POST.getlist("notification")) if pk is not None]
    notification_services.notifications_mark_read(user=request.user, notification_ids=ids or None)
    return redirect_to_next(request, default="marketplace:notifications")
