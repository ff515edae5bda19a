"""The focus ring is seen on every background it meets (WCAG 1.4.11 and technique C40)."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css"


def luminance(colour: str) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def variable(css: str, name: str) -> str:
    return re.search(rf"--{name}:\s*(#[0-9a-fA-F]{{6}})", css).group(1)


def test_the_two_tone_focus_ring_has_three_to_one_on_every_background():
    css = (CSS / "plenary.css").read_text()
    ring = re.search(r":focus-visible \{([^}]*)\}", css).group(1)
    assert "var(--focus-ink)" in ring
    assert "var(--focus)" in ring
    ink, amber = variable(css, "focus-ink"), variable(css, "focus")
    assert contrast(ink, amber) >= 9  # C40: then one tone has 3:1 against any colour
    backgrounds = [variable(css, n) for n in ("paper", "wash", "brand", "bad", "ok", "ink")]
    for background in backgrounds:
        assert max(contrast(ink, background), contrast(amber, background)) >= 3, background


def test_no_stylesheet_overrides_the_focus_colours_with_a_faint_one():
    for sheet in CSS.glob("*.css"):
        if sheet.name == "plenary.css":
            continue
        assert "--focus" not in sheet.read_text(), sheet.name
