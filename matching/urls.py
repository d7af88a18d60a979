from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("matches/<int:pk>/feedback/", views.feedback, name="feedback"),
]
