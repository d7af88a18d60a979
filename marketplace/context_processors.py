from marketplace.selectors import unread_notification_count


def notifications(request):
    """The unread count in the navigation (one indexed COUNT per page).

    Error pages render for requests refused before the authentication
    middleware ran (a Host outside ALLOWED_HOSTS), so there may be no user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(user=user)}
