"""PDFs: the visa invitation letter (with a verification QR) and a tour's list for the guide."""

import base64
import io

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from badges.pdf_render import one_drawing_at_a_time
from registration.models import RegistrationSettings, Tour, TourSignup, VisaLetter


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def verification_url(letter: VisaLetter) -> str:
    path = reverse("registration:visa-verify", args=[letter.delegate.assembly.slug, letter.token])
    return f"{settings.SITE_URL}{path}"


def visa_letter_pdf(letter: VisaLetter) -> bytes:
    delegate = letter.delegate
    assembly = delegate.assembly
    rules = RegistrationSettings.objects.filter(assembly=assembly).first()
    url = verification_url(letter)
    html = render_to_string(
        "registration/pdf/visa_letter.html",
        {
            "letter": letter,
            "delegate": delegate,
            "assembly": assembly,
            "rules": rules,
            "verify_url": url,
            "qr": qr_data_uri(url),
            "issued_on": letter.issued_at.astimezone(assembly.zone).date(),
        },
    )
    with one_drawing_at_a_time():  # Pango is not safe in two threads: badges draw meanwhile
        return HTML(string=html, base_url=settings.SITE_URL).write_pdf()


def roster_pdf(*, tour: Tour, confirmed: list[TourSignup], waitlisted: list[TourSignup]) -> bytes:
    zone = tour.assembly.zone
    html = render_to_string(
        "registration/pdf/roster.html",
        {
            "tour": tour,
            "confirmed": confirmed,
            "waitlisted": waitlisted,
            "starts": tour.starts_at.astimezone(zone),
            "ends": tour.ends_at.astimezone(zone),
            "printed": timezone.now().astimezone(zone),
            "people": sum(s.places for s in confirmed),
        },
    )
    with one_drawing_at_a_time():
        return HTML(string=html).write_pdf()
