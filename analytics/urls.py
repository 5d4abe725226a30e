from django.urls import path

from . import attachment_views, location_views, meeting_views, views

app_name = "analytics"

urlpatterns = [
    path("", views.LocalDashboardView.as_view(), name="local-dashboard"),
    path("cell/", views.CellEventsView.as_view(), name="cell-events"),
    path("volumes/", views.TreatmentVolumeView.as_view(), name="treatmentvolume-list"),
    path("locations/", location_views.LocationListView.as_view(), name="location-list"),
    path("locations/<int:pk>/toggle/", location_views.LocationToggleView.as_view(), name="location-toggle"),
    path("meeting/", meeting_views.MeetingAgendaView.as_view(), name="meeting-agenda"),
    path("meeting/packet/", meeting_views.MeetingPacketView.as_view(), name="meeting-packet"),
    path("meeting/flag/<int:pk>/", meeting_views.MeetingFlagView.as_view(), name="meeting-flag"),
    path("meeting/items/<int:pk>/unflag/", meeting_views.MeetingItemUnflagView.as_view(), name="meetingitem-unflag"),
    path(
        "meeting/items/<int:pk>/discussed/",
        meeting_views.MeetingItemDiscussedView.as_view(),
        name="meetingitem-discussed",
    ),
    path("events/<int:pk>/attachments/", attachment_views.EventAttachmentsView.as_view(), name="event-attachments"),
    path("attachments/<int:pk>/", attachment_views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("events/<int:pk>/print/", meeting_views.EventPrintView.as_view(), name="event-print"),
]
