"""HTML to PDF with one parsed stylesheet and font set per process; imports no Django.

Used in the serving process for small documents and in worker processes for large
batches: those fork from a server process that imported this module (and WeasyPrint) once
and holds no database connection or thread of the serving process.
"""

import gc
import io
import os
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import qrcode
import qrcode.constants
from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STYLESHEET = Path(__file__).resolve().parent / "pdf.css"
USER_AGENT_STYLESHEET = Path(__file__).resolve().parent / "pdf_ua.css"
# <img src="badge-qr:TOKEN">: the process that lays the badge out draws its QR code, so a
# batch's codes are made in parallel by the workers and the HTML stays small.
QR_SCHEME = "badge-qr:"
# Badge tokens fit version 5 at level M; fitting starts there (a longer token still grows).
QR_VERSION = 5


@lru_cache(maxsize=4096)
def qr_png(token: str, *, box_size: int = 4) -> bytes:
    """The token as a level-M QR code (alphanumeric mode): a grayscale PNG, cached per token.

    Four pixels a module: the badge asks for no interpolation (image-rendering: pixelated),
    but some PDF viewers smooth small images anyway, and one pixel a module then printed a
    blurred code; at four the blur stays at the modules' edges.

    A fixed mask pattern skips qrcode's trial of all eight masks (two thirds of its time);
    any mask gives a valid code. The image is made from qrcode's matrix by Pillow, in
    grayscale: qrcode's own 1-bit image took longer to draw, and WeasyPrint turns 1-bit
    images into RGB and compresses them twice.
    """
    code = qrcode.QRCode(
        version=QR_VERSION,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        mask_pattern=2,
    )
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    modules = code.get_matrix()
    side = len(modules)
    pixels = bytes(0 if dark else 255 for row in modules for dark in row)
    image = Image.frombytes("L", (side, side), pixels)
    if box_size > 1:
        image = image.resize((side * box_size, side * box_size), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    # Light compression: WeasyPrint decodes the PNG and compresses it again for the PDF.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class BadgeFetcher(URLFetcher):
    """WeasyPrint's fetcher, answering a badge's own images without any headers.

    badge-qr:TOKEN is the token's QR code; file: URLs (photos) are opened as they are.
    Pillow tells PNG from JPEG by itself, and headers cost about a millisecond an image
    (each goes through the email package's header parser).
    """

    def fetch(self, url, headers=None):
        if url.startswith(QR_SCHEME):
            return URLFetcherResponse(url, qr_png(url.removeprefix(QR_SCHEME)))
        if url.startswith("file:"):
            return URLFetcherResponse(url, Path(unquote(urlsplit(url).path)).open("rb"))
        return super().fetch(url, headers)


# Pango, with fontconfig and FreeType beneath it, is not safe to use from two threads at once:
# thirty badges drawn at once by request threads of a server just started hung for good in
# g_cond_wait (Pango starting fontconfig), and threads drawing together later crashed the
# process (a double free) or hung too. So a process draws one document at a time; worker
# processes draw one at a time anyway. Anything else that draws with WeasyPrint in a serving
# process (visa letters, minutes) takes this lock too.
_drawing = threading.Lock()
# A short document with the badge's fonts, drawn once when a server starts (warm_up).
FIRST_DOCUMENT = '<p class="name">Plenary</p><p class="title">Plenary</p><p class="org">Plenary</p>'


@contextmanager
def one_drawing_at_a_time() -> Iterator[None]:
    """Hold the process's drawing lock: no other thread lays out or writes a PDF meanwhile."""
    with _drawing:
        yield


@cache
def fonts() -> FontConfiguration:
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    """Parsed once per process and shared by every document (and its @font-face rules)."""
    return CSS(filename=str(STYLESHEET), font_config=fonts())


@cache
def user_agent_stylesheet() -> CSS:
    return CSS(filename=str(USER_AGENT_STYLESHEET))


class BadgeHTML(HTML):
    """A badge document styled with only the user-agent rules its elements use (pdf_ua.css).

    If WeasyPrint stops calling this hook, its whole sheet applies again: slower, same pages.
    """

    def _ua_stylesheets(self, forms=False):
        return [user_agent_stylesheet()]


def start_worker(server_pid: int) -> None:
    """In a worker process: end with the server; collect reference cycles every 20,000
    allocations, not 700.

    Laying out a badge allocates thousands of boxes and styles: at Python's default the
    collector ran about once a badge and took a tenth of the CPU; now a hundredth, for a
    few MB more.
    """
    end_with_server(server_pid)
    gc.set_threshold(20_000, 10, 10)


def end_with_server(server_pid: int) -> None:
    """Exit this worker as soon as the server process ends, however it ends (even SIGKILL).

    A worker waits for work on a queue whose writing end it holds itself, so it never sees
    the server go. The parent-death signal (prctl) would not help either: a worker's parent
    is the fork server, which lives as long as any worker does (each holds its "alive" pipe).
    So a thread watches the server itself.
    """
    threading.Thread(
        target=_exit_when_gone, args=(server_pid,), name="server-watch", daemon=True
    ).start()


def _exit_when_gone(pid: int) -> None:
    try:
        handle = os.pidfd_open(pid)  # Linux 5.3+: readable once the process has ended
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):
        _poll_until_gone(pid)
    else:
        select.select([handle], [], [])
    os._exit(0)


def _poll_until_gone(pid: int) -> None:
    """Without pidfds (macOS, older kernels): ask every second (a dead, unreaped server
    still answers until its parent reaps it)."""
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(1)


def warm_up() -> None:
    """Start Pango and fontconfig, load the fonts and parse the stylesheets now, by drawing a
    short document: the first badge finds them ready. A server does it as it starts, before
    any request can draw; a worker process before its first part."""
    render_html(FIRST_DOCUMENT)


def render_html(html: str) -> bytes:
    with _drawing:
        return BadgeHTML(string=html, url_fetcher=BadgeFetcher()).write_pdf(
            stylesheets=[stylesheet()], font_config=fonts()
        )


def render_html_apart(html: str) -> list[bytes]:
    """One PDF per page: the document laid out once, each page written with its own glyphs."""
    with _drawing:
        document = BadgeHTML(string=html, url_fetcher=BadgeFetcher()).render(
            stylesheets=[stylesheet()], font_config=fonts()
        )
        return [document.copy([page]).write_pdf() for page in document.pages]
