from django.urls import path

from marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("capabilities/", views.catalogue, name="catalogue"),
    path("capabilities/<int:pk>/", views.capability_detail, name="capability_detail"),
    path("needs/", views.needs_board, name="needs_board"),
    path("needs/<int:pk>/", views.need_detail, name="need_detail"),
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
