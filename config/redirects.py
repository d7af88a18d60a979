"""Where a form's ``next`` may send the browser: a path on this site, nothing else."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def same_site_path(url: str | None) -> str | None:
    """``url`` when it is an absolute path on this site ("/needs/3/?page=2"),
    else None. Refused: a bare word (redirect() would read it as a view name
    and fail with NoReverseMatch), any scheme or host ("https://evil",
    "javascript:…"), and the browser's scheme-relative forms ("//evil",
    "/\\evil")."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in url):
        return None
    # Django's own check, for the other forms browsers read as a scheme or host.
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return None
    return url


def next_path(request: HttpRequest, *, field: str = "next") -> str | None:
    """The request's ``next`` (POST, else the query string) when it is a path
    on this site, else None."""
    return same_site_path(request.POST.get(field) or request.GET.get(field))


def redirect_to_next(request: HttpRequest, *, default: str) -> HttpResponseRedirect:
    """To the request's ``next`` when it is a path on this site, else to
    ``default`` (a URL name or a path)."""
    return HttpResponseRedirect(next_path(request) or resolve_url(default))
