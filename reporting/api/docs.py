"""The API's OpenAPI schema and its documentation page: public, with no tenant data; no CDN assets."""

from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of the read API (YAML; `?format=json` for JSON)."""

    scoping_exempt = "the API's description: endpoints and fields, no tenant data"
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []


class DocsView(TemplateView):
    """How to use the read API: tokens, the endpoints, an example, and the link to the schema."""

    scoping_exempt = "documentation, no tenant data"
    template_name = "reporting/api_docs.html"
