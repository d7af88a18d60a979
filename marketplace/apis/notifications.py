"""The caller's notifications: decisions, applications, messages, invitations.
Each is stored already written out in the recipient's language (see
marketplace/services/notifications.py), so title and body are read as stored,
as the notifications page shows them. Like the page, these endpoints need an
organisation to act for; the notifications are the person's own.

Endpoints (route names in the ``api`` namespace):

- ``GET /notifications/`` (notification-list), ``GET /notifications/{id}/`` (notification-detail).
- ``POST /notifications/{id}/read/`` (notification-read): mark one read; answers the notification.
- ``POST /notifications/read/`` (notification-mark-read): mark some (``ids``) or all read;
  answers ``{"marked": n}``.
"""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.fields import ObjectIdField
from config.api.filters import BooleanFilter, StrictFilterSet
from config.api.views import ApiViewSet
from marketplace import selectors
from marketplace.models import Notification
from marketplace.services import notifications as notification_services

MAX_IDS = 1000


class NotificationSerializer(serializers.ModelSerializer):
    link = serializers.SerializerMethodField(help_text="The page it is about, on the website; null if none.")
    read = serializers.SerializerMethodField()
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "read", "read_at", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_link(self, notification) -> str | None:
        return self.context["request"].build_absolute_uri(notification.url) if notification.url else None

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationsMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=ObjectIdField(),
        required=False,
        allow_empty=False,
        min_length=1,
        max_length=MAX_IDS,
        help_text="The notifications to mark read; leave out to mark all of yours. Ids not yours are ignored.",
    )


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(min_value=0, help_text="How many were unread and are now read.")


class NotificationFilter(StrictFilterSet):
    unread = BooleanFilter(method="filter_unread", help_text="true: only unread ones; false: only read ones.")

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value)


@extend_schema_view(
    list=extend_schema(summary="List your notifications", description="Newest first."),
    retrieve=extend_schema(summary="One of your notifications"),
)
class NotificationViewSet(ApiViewSet):
    queryset = Notification.objects.none()  # lists come from the selector
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    # Only the acting organisation's notifications: a token for one
    # organisation must not read a person's news from another.
    def _get(self, pk: str) -> Notification:
        return selectors.notification_get_for_user(
            user=self.request.user,
            pk=int(pk),
            organization=self.request.membership.organization,  # type: ignore[attr-defined]  # Request passes it on to HttpRequest
        )

    def list(self, request):
        notifications = self.filter_queryset(
            selectors.notifications_for_user(user=request.user, organization=request.membership.organization)
        )
        return self.page_of(notifications)

    def retrieve(self, request, pk: str):
        return Response(self.get_serializer(self._get(pk)).data)

    @extend_schema(summary="Mark one notification read", request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk: str):
        notification = self._get(pk)
        notification_services.notifications_mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark notifications read",
        operation_id="notifications_mark_read",
        description="The ones listed in ids, or all of yours when ids is left out.",
        request=NotificationsMarkReadSerializer,
        responses=NotificationsMarkedSerializer,
    )
    @action(detail=False, methods=["post"], url_path="read", url_name="mark-read", filter_backends=[])
    def mark_read(self, request):
        serializer = NotificationsMarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notification_services.notifications_mark_read(
            user=request.user,
            notification_ids=serializer.validated_data.get("ids"),
            organization=request.membership.organization,
        )
        return Response(NotificationsMarkedSerializer({"marked": marked}).data)


def routes(router) -> list:
    router.register("notifications", NotificationViewSet, basename="notification")
    return []
