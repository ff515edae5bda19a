"""HTML to PDF with one parsed stylesheet and font set per process; imports no Django.

Used in the serving process for small documents and in worker processes (spawned, so
they hold no database connection or thread of the server) for large batches.
"""

from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"


@cache
def fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    """Parsed once per process and shared by every document (and its @font-face rules)."""
    return CSS(filename=str(STYLESHEET), font_config=fonts())


def render_html(html: str) -> bytes:
    return HTML(string=html).write_pdf(stylesheets=[stylesheet()], font_config=fonts())
