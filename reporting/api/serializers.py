"""The API's shapes: a record holds exactly the export's fields (docs/pso-data-dictionary.md), plus its id and URL;
the filters are validated here (a bad value is a 400 naming the field, never a 500)."""

from __future__ import annotations

from rest_framework import serializers

from foundation.taxonomy.events import EventClassification, TreatmentTechnique

from ..dashboards import SEVERITY_CHOICES, DashboardFilters
from ..models import StoreRecord
from ..search import EXPORT_FIELDS, MAX_QUERY

QUARTER = r"^\d{4}Q[1-4]$"
LIST_FIELDS = ("techniques", "problem_types_secondary", "contributing_factors", "barriers_failed", "barriers_caught",
               "corrective_actions", "ameliorating_actions")  # fmt: skip


class StoreRecordSerializer(serializers.ModelSerializer):
    """One de-identified record: the store's id and the export's fields, with the same names and values."""

    url = serializers.HyperlinkedIdentityField(view_name="api:record-detail")

    class Meta:
        model = StoreRecord
        fields = ["id", "url", *EXPORT_FIELDS]
        read_only_fields = fields

    def build_field(self, field_name, info, model_class, nested_depth):
        if field_name in LIST_FIELDS:  # JSON lists of codes: typed in the schema
            return serializers.ListField, {"child": serializers.CharField(), "read_only": True}
        return super().build_field(field_name, info, model_class, nested_depth)


class FilterSerializer(serializers.Serializer):
    """The dashboard's filters: one quarter or a range, classification, technique and severity band."""

    quarter = serializers.RegexField(QUARTER, required=False, help_text="One quarter, e.g. 2026Q3.")
    quarter_from = serializers.RegexField(QUARTER, required=False, help_text="First quarter (inclusive).")
    quarter_to = serializers.RegexField(QUARTER, required=False, help_text="Last quarter (inclusive).")
    classification = serializers.ChoiceField(EventClassification.choices, required=False)
    technique = serializers.ChoiceField(TreatmentTechnique.choices, required=False)
    severity = serializers.ChoiceField(SEVERITY_CHOICES, required=False, help_text="Medical severity band.")

    def validate(self, attrs):
        if attrs.get("quarter"):
            if attrs.get("quarter_from") or attrs.get("quarter_to"):
                raise serializers.ValidationError("Give either quarter or quarter_from/quarter_to.")
            attrs["quarter_from"] = attrs["quarter_to"] = attrs.pop("quarter")
        if attrs.get("quarter_from", "") > attrs.get("quarter_to", "9999Q4"):
            raise serializers.ValidationError("quarter_from must not be after quarter_to.")
        return attrs

    def filters(self) -> DashboardFilters:
        data = self.validated_data
        return DashboardFilters(
            **{
                name: data.get(name, "")
                for name in ("quarter_from", "quarter_to", "technique", "classification", "severity")
            }
        )


class RecordFilterSerializer(FilterSerializer):
    """The record search: the filters and words to find in the scrubbed narrative and lessons learned."""

    q = serializers.CharField(
        required=False,
        max_length=MAX_QUERY,
        allow_blank=True,
        help_text="Full-text search (PostgreSQL web-search syntax).",
    )


class BreakdownRowSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class BreakdownSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    rows = BreakdownRowSerializer(many=True)


class RollupsSerializer(serializers.Serializer):
    """The dashboard's numbers for the filters: the total and every breakdown."""

    total = serializers.IntegerField()
    breakdowns = BreakdownSerializer(many=True)


class TrendSeriesSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    data = serializers.ListField(child=serializers.IntegerField())


class TrendSerializer(serializers.Serializer):
    """Events per quarter, split by classification (as the dashboard's trend chart)."""

    quarters = serializers.ListField(child=serializers.CharField())
    series = TrendSeriesSerializer(many=True)
    totals = serializers.ListField(child=serializers.IntegerField())
