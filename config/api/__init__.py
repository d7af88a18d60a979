"""What every endpoint of the REST API shares: errors, pagination, throttling,
the acting organisation, the OpenAPI schema, and the URL root ``/api/v1/``.
The endpoints themselves live in each app (``accounts/apis.py``,
``marketplace/apis/``, ``matching/apis.py``) and call the same services and
selectors as the HTML views."""
