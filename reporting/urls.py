from django.urls import path

from . import views
from .views_outbox import OutboxListView

app_name = "reporting"

urlpatterns = [
    path("outbox/", OutboxListView.as_view(), name="outbox"),
    path("dashboard/", views.PSODashboardView.as_view(), name="pso-dashboard"),
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("practice/", views.PracticeDashboardView.as_view(), name="practice-dashboard"),
    path("participation/", views.ParticipationView.as_view(), name="participation"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/new/", views.ThemeCreateView.as_view(), name="theme-create"),
    path("themes/<int:pk>/", views.ThemeDetailView.as_view(), name="theme-detail"),
    path("themes/<int:pk>/edit/", views.ThemeUpdateView.as_view(), name="theme-update"),
]
