"""Page-number pagination whose page number always fits the database's OFFSET."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# Far beyond any list here (10^6 pages of 50), far below a 64-bit OFFSET.
MAX_PAGE = 1_000_000


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
