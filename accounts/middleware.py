from accounts.selectors import membership_get_current


class CurrentMembershipMiddleware:
    """Set ``request.membership``: the organisation a signed-in user acts for.

    A user may belong to several organisations; the one chosen last is kept in
    the session. ``None`` for anonymous users and users without an organisation.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            request.membership = membership_get_current(
                user=request.user,
                organization_id=request.session.get("current_organization_id"),
            )
        return self.get_response(request)
