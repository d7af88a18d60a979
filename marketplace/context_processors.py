from marketplace.selectors import unread_notification_count


def notifications(request):
    """The unread count in the navigation (one indexed COUNT per page)."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(user=request.user)}
