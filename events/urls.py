from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("new/", views.EventCreateView.as_view(), name="event-create"),
    path("<int:pk>/submitted/", views.EventDoneView.as_view(), name="event-done"),
    path("mine/", views.EventMineView.as_view(), name="event-mine"),
    path("draft/", views.DraftView.as_view(), name="event-draft"),
    path("check-narrative/", views.NarrativeCheckView.as_view(), name="event-check-narrative"),
]
