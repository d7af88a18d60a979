"""Numbered pages with a capped size: ``?page=2&page_size=50``.

Bad values are errors (400) with a message, not silently replaced: a client
asking for 10,000 rows should learn that the cap is 100.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

# Far beyond any real page; keeps the offset arithmetic in range.
MAX_PAGE_NUMBER = 10**6


def _parse_positive(raw: str, *, name: str, upper: int, message: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= upper:
        raise ValidationError({name: [message]})
    return int(raw)


class PageNumberPagination(pagination.PageNumberPagination):
    page_query_param = "page"
    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return settings.API_PAGE_SIZE
        return _parse_positive(
            raw,
            name=self.page_size_query_param,
            upper=self.max_page_size,
            message=_("A whole number from 1 to %(max)d.") % {"max": self.max_page_size},
        )

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param)
        number = 1
        if raw is not None:
            number = _parse_positive(
                raw, name=self.page_query_param, upper=MAX_PAGE_NUMBER, message=_("A page number from 1.")
            )
        self.request = request
        page_size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, page_size)
        if number > 1 and number > paginator.num_pages:
            raise NotFound(
                _("There is no page %(number)d; the last page is %(last)d.")
                % {"number": number, "last": paginator.num_pages}
            )
        self.page = paginator.page(number)
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": _("Page number, from 1."),
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_NUMBER},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": _("Results per page (default %(default)d, at most %(max)d).")
                % {"default": settings.API_PAGE_SIZE, "max": self.max_page_size},
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
