from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("export.<str:fmt>", views.QueueExportView.as_view(), name="queue-export"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/status/", views.EventTransitionView.as_view(), name="event-transition"),
    path("events/<int:pk>/report/", views.EventReportView.as_view(), name="event-report"),
    path("events/<int:pk>/actions/", views.ActionItemCreateView.as_view(), name="actionitem-create"),
    path("actions/<int:pk>/", views.ActionItemUpdateView.as_view(), name="actionitem-update"),
]
