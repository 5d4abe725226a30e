from django.urls import path

from . import conversation_views, views

app_name = "events"

urlpatterns = [
    path("new/", views.EventCreateView.as_view(), name="event-create"),
    path("<int:pk>/submitted/", views.EventDoneView.as_view(), name="event-done"),
    path("mine/", views.EventMineView.as_view(), name="event-mine"),
    path("<int:pk>/conversation/", conversation_views.EventConversationView.as_view(), name="event-conversation"),
    path("follow-up/<str:token>/", conversation_views.FollowUpLinkView.as_view(), name="follow-up"),
    path("draft/", views.DraftView.as_view(), name="event-draft"),
    path("check-narrative/", views.NarrativeCheckView.as_view(), name="event-check-narrative"),
]
