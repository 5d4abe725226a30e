from django.urls import path

from .views import analyst, coding, practice, signals, staff, themes, tokens

app_name = "reporting"

urlpatterns = [
    path("outbox/", staff.OutboxListView.as_view(), name="outbox"),
    path("dashboard/", analyst.PSODashboardView.as_view(), name="pso-dashboard"),
    path("records/", analyst.RecordListView.as_view(), name="record-list"),
    path("records/dictionary/", analyst.DataDictionaryView.as_view(), name="record-dictionary"),
    path("records/<int:pk>/", analyst.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/tags/", coding.RecordTagAddView.as_view(), name="record-tag-add"),
    path("records/<int:pk>/notes/", coding.RecordNoteAddView.as_view(), name="record-note-add"),
    path("records/<int:pk>/questions/", coding.RecordQueryAskView.as_view(), name="record-question"),
    path("questions/<int:pk>/answer/", coding.RecordQueryAnswerView.as_view(), name="recordquery-answer"),
    path("records/tags/<int:pk>/remove/", coding.RecordTagRemoveView.as_view(), name="recordtag-remove"),
    path("records/searches/", coding.SavedSearchCreateView.as_view(), name="savedsearch-create"),
    path("records/searches/<int:pk>/delete/", coding.SavedSearchDeleteView.as_view(), name="savedsearch-delete"),
    path("signals/", signals.SignalListView.as_view(), name="signal-list"),
    path("signals/<int:pk>/", signals.SignalDetailView.as_view(), name="signal-detail"),
    path("signals/<int:pk>/theme/", signals.SignalThemeDraftView.as_view(), name="signal-theme"),
    path("practice/", practice.PracticeDashboardView.as_view(), name="practice-dashboard"),
    path("api-tokens/", tokens.ApiTokenListView.as_view(), name="apitoken-list"),
    path("api-tokens/<int:pk>/revoke/", tokens.ApiTokenRevokeView.as_view(), name="apitoken-revoke"),
    path("participation/", staff.ParticipationView.as_view(), name="participation"),
    path("themes/", themes.ThemeListView.as_view(), name="theme-list"),
    path("themes/new/", themes.ThemeCreateView.as_view(), name="theme-create"),
    path("themes/<int:pk>/", themes.ThemeDetailView.as_view(), name="theme-detail"),
    path("themes/<int:pk>/edit/", themes.ThemeUpdateView.as_view(), name="theme-update"),
]
