from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def membership_required(view):
    """Signed in and acting for an organisation; otherwise to the page that
    explains how to get one."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            messages.info(request, _("Register your organisation or accept an invitation to continue."))
            return redirect("accounts:organization_create")
        return view(request, *args, **kwargs)

    return wrapper
