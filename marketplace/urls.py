from django.urls import path

from marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("capabilities/", views.catalogue, name="catalogue"),
    path("capabilities/<int:pk>/", views.capability_detail, name="capability_detail"),
    path("needs/", views.needs_board, name="needs_board"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("capabilities/<int:pk>/apply/", views.application_apply, name="application_apply"),
    path("needs/<int:pk>/invite/", views.invitation_send, name="invitation_send"),
    path("workspace/applications/", views.applications_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/messages/", views.application_message, name="application_message"),
    path("applications/<int:pk>/<str:action>/", views.application_action, name="application_action"),
    path("workspace/invitations/", views.invitations_list, name="invitations"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("notifications/", views.notifications_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]
for slug in ("capabilities", "needs"):
    urlpatterns += [
        path(f"workspace/{slug}/", views.workspace_list, {"listing_type": slug}, name=f"workspace_{slug}"),
        path(f"workspace/{slug}/new/", views.listing_create, {"listing_type": slug}, name=f"{slug}_create"),
        path(f"workspace/{slug}/<int:pk>/edit/", views.listing_edit, {"listing_type": slug}, name=f"{slug}_edit"),
        path(
            f"workspace/{slug}/<int:pk>/<str:action>/",
            views.listing_action,
            {"listing_type": slug},
            name=f"{slug}_action",
        ),
    ]
