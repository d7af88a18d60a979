from django.shortcuts import render

from accounts import selectors as accounts_selectors


def home(request):
    context = {
        "counts": accounts_selectors.organization_counts(),
        "organizations": accounts_selectors.organizations_verified_newest(limit=6),
    }
    return render(request, "home.html", context)
