from accounts.selectors import memberships_for_user


def current_membership(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"current_membership": None}
    if getattr(request, "other_memberships_of", None) is membership:
        # Read with the current one by CurrentMembershipMiddleware: no query of its own.
        return {"current_membership": membership, "other_memberships": request.other_memberships}

    def other_memberships():
        return memberships_for_user(user=request.user).exclude(pk=membership.pk)

    # Lazy: evaluated only where the navigation shows the organisation switcher.
    return {"current_membership": membership, "other_memberships": other_memberships}
