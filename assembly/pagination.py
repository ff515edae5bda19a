"""Page-number pagination: the API's, whose page number always fits the database's OFFSET, and
the way back from a form to the page of a listing it was sent from."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Far beyond any list here (10^6 pages of 50), far below a 64-bit OFFSET.
MAX_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)


def back_to_listing(request: HttpRequest, url: str, keys: tuple[str, ...]) -> HttpResponseRedirect:
    """To `url` with the search, filters and page (`keys`) the form was sent from."""
    listing = urlencode([(key, request.GET[key]) for key in keys if request.GET.get(key)])
    return redirect(f"{url}?{listing}" if listing else url)
