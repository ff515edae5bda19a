"""Badge PDFs: every name is in the text, every script is drawn with a font that has it."""

import contextlib
import io
import multiprocessing
import os
import shutil
import signal
import subprocess
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

import pytest
import qrcode
import qrcode.constants
from PIL import Image
from pypdf import PdfReader
from weasyprint import HTML

from badges import pdf_render
from badges.models import BatchLayout
from badges.pdf import _html, face_for, render_faces
from badges.services import (
    ensure_badge_rendered,
    ensure_badges_rendered,
    reprint_badge,
    token_for,
)
from tests.factories import DelegateFactory

NAMES = [
    "김서연 Kim Seo-yeon",
    "فاطمة الهاشمي",
    "Айгерим Сейткали",
    "João Araújo",
    "Grace Namukasa",
]


def faces_for(assembly, names):
    faces = []
    for name in names:
        delegate = DelegateFactory(assembly=assembly, full_name=name, title="Delegate")
        faces.append(
            face_for(delegate=delegate, token=token_for(ensure_badge_rendered(delegate=delegate)))
        )
    return faces


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(
            [shutil.which("pdftotext"), "-enc", "UTF-8", "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def fonts_of(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("layout", [BatchLayout.A6, BatchLayout.A4_SHEET])
def test_every_name_of_a_batch_is_in_the_pdf_text(assembly, layout):
    content = render_faces(faces_for(assembly, NAMES), layout=layout)
    text = pdf_text(content)
    for name in ["김서연", "Kim Seo-yeon", "Айгерим Сейткали", "João Araújo", "Grace Namukasa"]:
        assert name in text
    # Arabic comes out of text extraction in visual order; its letters must all be there.
    assert set("فاطمةالهاشمي") <= set(text)


def test_a6_has_one_page_per_badge_and_a4_sheets_hold_four(assembly):
    faces = faces_for(assembly, NAMES)
    a6 = PdfReader(io.BytesIO(render_faces(faces, layout=BatchLayout.A6)))
    a4 = PdfReader(io.BytesIO(render_faces(faces, layout=BatchLayout.A4_SHEET)))
    assert len(a6.pages) == 5
    assert len(a4.pages) == 2
    width, height = float(a6.pages[0].mediabox.width), float(a6.pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)
    width, height = float(a4.pages[0].mediabox.width), float(a4.pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def test_hangul_and_arabic_names_are_drawn_with_fonts_that_have_their_glyphs(assembly):
    content = render_faces(faces_for(assembly, NAMES[:2]))
    fonts = " ".join(fonts_of(content))
    assert "Noto-Sans-CJK" in fonts
    assert "Arabic" in fonts
    # A missing glyph would leave a .notdef box and drop the letter from the text layer.
    text = pdf_text(content)
    assert "김서연" in text


def page_drawings(content: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(content)).pages]


@pytest.mark.parametrize("layout", [BatchLayout.A6, BatchLayout.A4_SHEET])
def test_badges_are_drawn_as_weasyprints_whole_user_agent_stylesheet_draws_them(
    assembly, tmp_path, layout
):
    """Badges use only the user-agent rules their elements need (pdf_ua.css): same pages."""
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (60, 80), (200, 160, 140)).save(photo)
    long_name = "Maria Fernanda de los Santos Rodríguez-Villanueva Castellanos"
    faces = faces_for(assembly, [*NAMES, long_name, "עמית כהן"])
    faces[0] = replace(faces[0], photo=str(photo))
    faces[1] = replace(faces[1], photo=str(photo), title="", organization="", country="")
    html = _html(faces, layout)
    whole_sheet = HTML(string=html, url_fetcher=pdf_render.BadgeFetcher()).write_pdf(
        stylesheets=[pdf_render.stylesheet()], font_config=pdf_render.fonts()
    )
    assert page_drawings(pdf_render.render_html(html)) == page_drawings(whole_sheet)


def test_badge_is_rendered_once_and_again_only_when_a_printed_field_changes(delegate):
    badge = ensure_badge_rendered(delegate=delegate)
    first = (badge.pdf.name, badge.rendered_at)
    again = ensure_badge_rendered(delegate=delegate)
    assert (again.pdf.name, again.rendered_at) == first
    delegate.title = "Mayor"
    delegate.save()
    changed = ensure_badge_rendered(delegate=delegate)
    assert changed.rendered_at > first[1]
    assert "Mayor" in pdf_text(changed.pdf.read())


def test_badges_rendered_together_each_hold_their_own_delegate_alone(assembly):
    delegates = [DelegateFactory(assembly=assembly, full_name=name) for name in NAMES]
    badges = ensure_badges_rendered(delegates=delegates)
    contents = [badge.pdf.read() for badge in badges]
    assert [len(PdfReader(io.BytesIO(c)).pages) for c in contents] == [1] * len(NAMES)
    texts = [pdf_text(content) for content in contents]
    assert "김서연" in texts[0]
    assert "Kim Seo-yeon" not in texts[1]
    assert "Grace Namukasa" in texts[4]
    assert "João" not in texts[4]
    # Each PDF carries the glyphs of its own page, not the whole document's.
    assert "Noto-Sans-CJK" in " ".join(fonts_of(contents[0]))
    assert "Noto-Sans-CJK" not in " ".join(fonts_of(contents[4]))
    assert len(contents[4]) < len(contents[0])


def test_rendering_badges_together_renders_only_what_changed(assembly):
    delegates = [DelegateFactory(assembly=assembly, full_name=name) for name in NAMES[3:]]
    first = [(b.pdf.name, b.rendered_at) for b in ensure_badges_rendered(delegates=delegates)]
    assert [(b.pdf.name, b.rendered_at) for b in ensure_badges_rendered(delegates=delegates)] == (
        first
    )
    delegates[1].title = "Mayor"
    delegates[1].save()
    again = ensure_badges_rendered(delegates=delegates)
    assert (again[0].pdf.name, again[0].rendered_at) == first[0]
    assert again[1].rendered_at > first[1][1]
    assert "Mayor" in pdf_text(again[1].pdf.read())


def test_a_badge_too_long_for_one_page_is_rendered_whole_on_its_own(assembly, monkeypatch):
    delegates = [DelegateFactory(assembly=assembly, full_name=name) for name in NAMES[3:]]
    # As if a face had run onto a second page: one page more than faces.
    monkeypatch.setattr(
        "badges.pdf.render_html_apart", lambda html: [b"page"] * (len(delegates) + 1)
    )
    badges = ensure_badges_rendered(delegates=delegates)
    assert "Grace Namukasa" in pdf_text(badges[1].pdf.read())


def test_render_badges_command_renders_the_approved_and_then_nothing(assembly, capsys):
    from django.core.management import call_command

    DelegateFactory.create_batch(3, assembly=assembly, state="approved")
    DelegateFactory(assembly=assembly, state="submitted")
    call_command("render_badges", assembly.slug)
    assert "3 badges, 3 rendered now." in capsys.readouterr().out
    call_command("render_badges", assembly.slug)
    assert "3 badges, 0 rendered now." in capsys.readouterr().out


def qr_modules_of(token: str) -> list[list[bool]]:
    """The token's level-M code with the badge's fixed mask pattern, border included."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, mask_pattern=2
    )
    code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return code.get_matrix()


def qr_modules_printed_on(content: bytes) -> list[list[bool]]:
    """The dark and light modules of the QR image on the badge, read at each module's centre."""
    images = PdfReader(io.BytesIO(content)).pages[0].images
    qr = next(image.image for image in images if image.image.mode == "L")
    side = len(qr_modules_of("0" * 114))  # version 5 with its border: 45 modules
    step = qr.width / side
    return [
        [qr.getpixel((int((x + 0.5) * step), int((y + 0.5) * step))) < 128 for x in range(side)]
        for y in range(side)
    ]


def test_badge_pdf_carries_the_qr_of_the_current_version(assembly, delegate):
    first = token_for(ensure_badge_rendered(delegate=delegate))
    badge = reprint_badge(assembly=assembly, delegate_id=delegate.pk, by=None, reason="lost")
    printed = qr_modules_printed_on(badge.pdf.read())
    assert printed == qr_modules_of(token_for(badge))
    assert printed != qr_modules_of(first)


def test_batch_reports_progress_part_by_part_keeping_sheets_whole(assembly):
    faces = faces_for(assembly, [f"Delegate {i:03d}" for i in range(45)])
    seen = []
    content = render_faces(
        faces, layout=BatchLayout.A4_SHEET, workers=2, chunk=10, progress=seen.append
    )
    assert seen == [8, 16, 24, 32, 40, 45]
    assert len(PdfReader(io.BytesIO(content)).pages) == 12


def test_large_document_rendered_by_worker_processes_keeps_every_badge_in_order(assembly):
    faces = faces_for(assembly, [f"Delegate {i:03d} 김" for i in range(45)])
    for layout, pages in ((BatchLayout.A6, 45), (BatchLayout.A4_SHEET, 12)):
        content = render_faces(faces, layout=layout, workers=2)
        assert len(PdfReader(io.BytesIO(content)).pages) == pages
        text = pdf_text(content)
        positions = [text.index(f"Delegate {i:03d}") for i in range(45)]
        assert positions == sorted(positions)


def test_a_worker_killed_between_batches_does_not_fail_the_next_ones(assembly):
    faces = faces_for(assembly, [f"Delegate {i:03d}" for i in range(45)])
    render_faces(faces, workers=2)
    for worker in multiprocessing.active_children():
        with contextlib.suppress(ProcessLookupError):  # it may have ended on its own
            os.kill(worker.pid, signal.SIGKILL)
        worker.join()
    # The batch running when a worker dies may fail; the ones after it must not.
    with contextlib.suppress(BrokenProcessPool):
        render_faces(faces, workers=2)
    assert len(PdfReader(io.BytesIO(render_faces(faces, workers=2))).pages) == 45


MM = 72 / 25.4


def text_baselines(page) -> list[tuple[str, float]]:
    """Each piece of text on a PDF page with its baseline's height from the page's bottom."""
    found = []

    def visit(text, cm, tm, *_rest):
        if text.strip():
            found.append((text.strip(), tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def longest_faces(assembly):
    """Text as long as the registration form allows: name 150, title 150, organisation 200."""
    hangul = faces_for(assembly, ["김서연" * 50])[0]
    latin = faces_for(assembly, [" ".join(["Maria Fernanda"] * 11)[:150]])[0]
    title, org = ("Deputy Mayor for Smart City Policy " * 5)[:150], ("Seoul " * 40)[:200]
    return [
        replace(hangul, title="서울특별시 " * 25, organization="스마트도시정책관 " * 22),
        replace(latin, title=title, organization=org),
    ]


def over_the_qr(page, badge_tops_mm: list[float]) -> list[str]:
    """Text drawn over a badge's QR code or its quiet zone (84 to 124 mm below the badge's
    top, 3 mm more above for the last line's descent)."""
    height = float(page.mediabox.height) / MM
    zones = [(height - top - 124, height - top - 81) for top in badge_tops_mm]
    return [
        text
        for text, y in text_baselines(page)
        if any(low * MM < y < high * MM for low, high in zones)
    ]


@pytest.mark.parametrize(
    ("layout", "pages", "tops"),
    [(BatchLayout.A6, 2, [0]), (BatchLayout.A4_SHEET, 1, [0, 148.5])],
)
def test_text_as_long_as_the_fields_allow_fits_one_badge_and_leaves_the_qr_its_place(
    assembly, layout, pages, tops
):
    faces = longest_faces(assembly)
    reader = PdfReader(io.BytesIO(render_faces(faces * (2 if pages == 1 else 1), layout=layout)))
    assert len(reader.pages) == pages
    for page in reader.pages:
        assert over_the_qr(page, tops) == []


def test_a_right_to_left_title_and_organisation_are_set_right_to_left_under_a_latin_name(
    assembly,
):
    face = replace(
        faces_for(assembly, ["Amira Haddad"])[0],
        title="رئيسة قسم المدن الذكية",
        organization="بلدية دبي",
    )
    html = _html([face], BatchLayout.A6)
    assert 'class="name" dir="ltr"' in html
    assert 'class="title" dir="rtl"' in html
    assert 'class="org" dir="rtl"' in html


def test_a_korean_word_is_never_broken_across_lines(assembly):
    # Long enough to wrap, with the line ending inside "김서연" as the badge had it.
    content = render_faces(
        faces_for(assembly, ["Mohammed Al-Rashid محمد الراشد 김서연 Ivanov Иванов"])
    )
    assert "김서연" in pdf_text(content)


def test_emoji_in_a_name_are_drawn_not_boxes(assembly):
    content = render_faces(faces_for(assembly, ["Julia 🎉 Schmidt"]))
    assert "Noto-Color-Emoji" in " ".join(fonts_of(content))
    assert "🎉" in pdf_text(content)
