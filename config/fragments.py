"""Pages that static/js/tandem.js updates in place.

The script asks for one partial of a page ({% partialdef %}) with the
X-Tandem-Fragment header; the view builds the same context either way and only
the template name differs. Without the script, the whole page is served.
"""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

FRAGMENT_HEADER = "X-Tandem-Fragment"


def fragment_requested(request, *names: str) -> str:
    """The partial the script asked for, if it is one of ``names``; else ""."""
    name = request.headers.get(FRAGMENT_HEADER, "")
    return name if name in names else ""


def vary_on_fragment(response):
    # The page and its partial share a URL: caches must keep them apart.
    patch_vary_headers(response, [FRAGMENT_HEADER])
    return response


def render_page(request, template_name: str, context: dict, *, partials: tuple[str, ...] = (), status: int = 200):
    """The page, or only its partial named by the fragment header when that is
    one of ``partials`` (an unknown name gets the whole page, never an error)."""
    fragment = fragment_requested(request, *partials)
    name = f"{template_name}#{fragment}" if fragment else template_name
    return vary_on_fragment(render(request, name, context, status=status))
