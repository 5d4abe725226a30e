"""Root URLconf of the load run's ceiling phase only: the production URLconf plus the bare ceiling view."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench-ceiling/", views.report_create, name="ceiling-create"),
    path("bench-ceiling/<int:pk>/", views.report_done, name="ceiling-done"),
    path("", include("roils.urls")),
]
