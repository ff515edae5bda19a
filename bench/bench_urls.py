"""Product URLs plus /bench/bare, a reference endpoint that only inserts one row (bench only)."""

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from assembly.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_bare (at) VALUES (%s)", [timezone.now().isoformat()])
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *product_urlpatterns]
