"""The API's endpoints: the token's PSO's de-identified records (list with the dashboard's filters and full-text
search, and one record) and the dashboard's rollups and trend; read-only (GET, HEAD, OPTIONS)."""

from __future__ import annotations

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import generics, pagination
from rest_framework.response import Response
from rest_framework.views import APIView

from practices.scoping import RoleRequiredAPIMixin, ScopedAPIMixin

from .. import dashboards as d
from .. import search
from ..models import ApiToken, StoreRecord
from .serializers import (
    FilterSerializer,
    RecordFilterSerializer,
    RollupsSerializer,
    StoreRecordSerializer,
    TrendSerializer,
)


class RecordPagination(pagination.PageNumberPagination):
    """Pages of 25 records (`page_size` up to 100): one COUNT and one page query, whatever the store's size."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


class _TokenPSO:
    """The token's PSO: the one PSO its principal analyses."""

    required_capability = "is_pso_analyst"

    @property
    def pso_id(self) -> int:
        return next(iter(self.access.pso_analyst))

    def filter_serializer(self, serializer_class):
        serializer = serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)  # a bad filter is a 400 naming it
        return serializer


class RecordListView(_TokenPSO, ScopedAPIMixin, generics.ListAPIView):
    """The PSO's de-identified records matching the filters (newest first) or the search words (best first)."""

    model = StoreRecord
    action = "analyse"
    required_scope = ApiToken.Scope.RECORDS
    serializer_class = StoreRecordSerializer
    pagination_class = RecordPagination

    @cached_property
    def filters(self) -> RecordFilterSerializer:
        return self.filter_serializer(RecordFilterSerializer)

    def refine(self, queryset):
        queryset = d.records_matching(queryset, pso_id=self.pso_id, filters=self.filters.filters())
        return search.records_search(queryset, self.filters.validated_data.get("q", ""))

    # Named and typed as a list here: the scoping `action` attribute hides from drf-spectacular that this is one.
    @extend_schema(
        operation_id="records_list", parameters=[RecordFilterSerializer], responses=StoreRecordSerializer(many=True)
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RecordDetailView(_TokenPSO, ScopedAPIMixin, generics.RetrieveAPIView):
    """One de-identified record of the token's PSO; any other record is a 404."""

    model = StoreRecord
    action = "analyse"
    required_scope = ApiToken.Scope.RECORDS
    serializer_class = StoreRecordSerializer


class RollupsView(_TokenPSO, RoleRequiredAPIMixin, APIView):
    """The dashboard's numbers for the filters: the total and every breakdown (from the rollups, one query)."""

    required_scope = ApiToken.Scope.ROLLUPS
    scoped_reads = (d.pso_breakdowns,)

    @extend_schema(parameters=[FilterSerializer], responses=RollupsSerializer)
    def get(self, request, *args, **kwargs):
        filters = self.filter_serializer(FilterSerializer).filters()
        total, breakdowns = d.pso_breakdowns(user=request.user, pso_id=self.pso_id, filters=filters)
        return Response(RollupsSerializer({"total": total, "breakdowns": breakdowns}).data)


class TrendView(_TokenPSO, RoleRequiredAPIMixin, APIView):
    """Events per quarter, split by classification, for the filters (the dashboard's trend)."""

    required_scope = ApiToken.Scope.ROLLUPS
    scoped_reads = (d.pso_trend,)

    @extend_schema(parameters=[FilterSerializer], responses=TrendSerializer)
    def get(self, request, *args, **kwargs):
        filters = self.filter_serializer(FilterSerializer).filters()
        return Response(TrendSerializer(d.pso_trend(user=request.user, pso_id=self.pso_id, filters=filters)).data)
