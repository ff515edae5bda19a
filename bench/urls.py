"""The product's URLs plus /bench/bare/, served only under bench.settings (never in the product)."""

import json
import uuid

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from assembly.urls import urlpatterns as product_urlpatterns

BARE_TABLE = "bench_bare_row"


def reset_bare_table() -> None:
    """(Re)create the reference table: one row a request, with a unique key like a ballot."""
    pk = "bigserial PRIMARY KEY" if connection.vendor == "postgresql" else "integer PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(f"CREATE TABLE {BARE_TABLE} (id {pk}, key varchar(64) UNIQUE)")


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """Insert one row with a unique key: the floor any scan, ballot or sign-up stands on."""
    key = json.loads(request.body or b"{}").get("key") or uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE_TABLE} (key) VALUES (%s)", [key])  # noqa: S608
    return JsonResponse({"key": key}, status=201)


urlpatterns = [path("bench/bare/", bare_insert), *product_urlpatterns]
