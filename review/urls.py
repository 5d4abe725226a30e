from django.urls import path

from . import queue_views, views, work_views

app_name = "review"

urlpatterns = [
    path("", queue_views.QueueView.as_view(), name="queue"),
    path("export.<str:fmt>", queue_views.QueueExportView.as_view(), name="queue-export"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/status/", views.EventTransitionView.as_view(), name="event-transition"),
    path("events/<int:pk>/report/", views.EventReportView.as_view(), name="event-report"),
    path("events/<int:pk>/actions/", views.ActionItemCreateView.as_view(), name="actionitem-create"),
    path("actions/<int:pk>/", views.ActionItemUpdateView.as_view(), name="actionitem-update"),
    path("events/<int:pk>/investigator/", work_views.InvestigatorAssignView.as_view(), name="investigator-assign"),
    path("events/<int:pk>/ask/", work_views.FollowUpAskView.as_view(), name="followup-ask"),
    path("events/<int:pk>/feedback/", work_views.FeedbackShareView.as_view(), name="feedback-share"),
    path("agreements/<int:pk>/deadlines/", work_views.DeadlinePolicyView.as_view(), name="deadline-policy"),
    path("work/", work_views.MyWorkView.as_view(), name="my-work"),
    path("work/actions/<int:pk>/", work_views.ActionWorkView.as_view(), name="action-work"),
    path("work/actions/<int:pk>/verify/", work_views.ActionVerifyView.as_view(), name="action-verify"),
    path("work/evidence/<int:pk>/", work_views.EvidenceView.as_view(), name="evidence"),
]
