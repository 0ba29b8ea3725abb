"""Every text colour of the indicator cards reads at WCAG AA (4.5:1) on the card: the
source line and the "?" were Streamlit's 60 % grey (3.9:1), which axe-core reported."""

from __future__ import annotations

import re

import pytest

from dih_dash.charts.cards import CARD_STYLE

RULE = re.compile(r"\.kpi-card \.(kpi-[a-z]+)\{([^}]*)\}")


def _rgb(colour: str) -> tuple[tuple[float, float, float], float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)), 1.0  # type: ignore[return-value]
    *rgb, alpha = (float(part) for part in colour[colour.index("(") + 1 : -1].split(","))
    return tuple(rgb), alpha  # type: ignore[return-value]


def _on_white(colour: str) -> tuple[float, float, float]:
    rgb, alpha = _rgb(colour)
    return tuple(alpha * c + (1 - alpha) * 255 for c in rgb)  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(
    foreground: tuple[float, float, float], background: tuple[float, float, float]
) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    # Streamlit's caption grey that axe-core measured at 3.88:1.
    assert contrast(_on_white("#828180"), (255, 255, 255)) == pytest.approx(3.88, abs=0.01)


STYLED = {name: body for name, body in RULE.findall(CARD_STYLE)}
TEXTS = sorted(name for name, body in STYLED.items() if re.search(r"(^|;)color:", body))


def test_the_cards_text_colours_are_all_checked():
    assert {"kpi-help", "kpi-source", "kpi-good", "kpi-bad", "kpi-neutral"} <= set(TEXTS)


@pytest.mark.parametrize("name", TEXTS)
def test_card_text_reads_at_wcag_aa(name):
    body = STYLED[name]
    text = re.search(r"(?:^|;)color:([^;]+)", body).group(1)
    background = re.search(r"background:([^;]+)", body)
    behind = _on_white(background.group(1)) if background else (255.0, 255.0, 255.0)
    assert contrast(_on_white(text), behind) >= 4.5
