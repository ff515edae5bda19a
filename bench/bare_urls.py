"""Product URLs plus /bench/insert: a bare Django view doing one INSERT (benchmark reference)."""

import uuid

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from assembly.urls import urlpatterns as product_urls


@csrf_exempt
def insert(request: HttpRequest) -> JsonResponse:
    key = uuid.uuid4().hex
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare_insert (k) VALUES (%s)", [key])
    return JsonResponse({"k": key}, status=201)


urlpatterns = [path("bench/insert", insert), *product_urls]
