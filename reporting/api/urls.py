from django.urls import path

from . import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("v1/records/", views.RecordListView.as_view(), name="record-list"),
    path("v1/records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("v1/rollups/", views.RollupsView.as_view(), name="rollups"),
    path("v1/rollups/trend/", views.TrendView.as_view(), name="trend"),
]
