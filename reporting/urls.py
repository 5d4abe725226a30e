from django.urls import path

from .views import analyst, practice, staff, themes

app_name = "reporting"

urlpatterns = [
    path("outbox/", staff.OutboxListView.as_view(), name="outbox"),
    path("dashboard/", analyst.PSODashboardView.as_view(), name="pso-dashboard"),
    path("records/", analyst.RecordListView.as_view(), name="record-list"),
    path("records/<int:pk>/", analyst.RecordDetailView.as_view(), name="record-detail"),
    path("practice/", practice.PracticeDashboardView.as_view(), name="practice-dashboard"),
    path("participation/", staff.ParticipationView.as_view(), name="participation"),
    path("themes/", themes.ThemeListView.as_view(), name="theme-list"),
    path("themes/new/", themes.ThemeCreateView.as_view(), name="theme-create"),
    path("themes/<int:pk>/", themes.ThemeDetailView.as_view(), name="theme-detail"),
    path("themes/<int:pk>/edit/", themes.ThemeUpdateView.as_view(), name="theme-update"),
]
