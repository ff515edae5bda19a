"""The product's URLs plus a bare reference endpoint, served only under bench.settings."""

import json
import uuid

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from assembly.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """Insert one row with a unique key: the floor any ballot endpoint stands on."""
    key = json.loads(request.body or b"{}").get("key") or uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare_row (key) VALUES (%s)", [key])
    return JsonResponse({"key": key}, status=201)


urlpatterns = [path("bench/bare/", bare_insert), *product_urlpatterns]
