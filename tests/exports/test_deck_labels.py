"""The deck's chart labels in full: the Digital Decade slide names the SME indicator by its
short chart name, and no category label of any slide figure is cut with "…" (issue 13: the
SME label was cut on slide 1 and in the HTML report)."""

from __future__ import annotations

import pytest
from support.deck_data import deck_settings, demo_store

from dih_dash.exports.deck import (
    DeckInputs,
    build_deck,
    label_width,
    load_slide_specs,
    slide_figure,
)
from dih_dash.i18n import Translator
from dih_dash.services.deck import load_deck_inputs


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> DeckInputs:
    settings = deck_settings(tmp_path_factory.mktemp("labels"))
    demo_store(settings)
    return load_deck_inputs(settings)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_slide_one_uses_the_indicators_short_names(inputs, lang):
    slides = build_deck(inputs, load_slide_specs(inputs.settings.slides_file), lang)
    kpis = next(s for s in slides if s.kind == "national_kpis")
    expected = inputs.catalogue["desi_sme_di3_gelo"].short_label(lang)
    assert expected in kpis.chart.categories
    assert inputs.catalogue["desi_sme_di3_gelo"].label(lang) not in kpis.chart.categories


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize("headed", [True, False], ids=["image", "page"])
def test_no_category_label_is_cut(inputs, lang, headed):
    tr = Translator(lang)
    slides = build_deck(inputs, load_slide_specs(inputs.settings.slides_file), lang)
    for slide in slides:
        fig = slide_figure(slide, tr, headed=headed, height=560 if headed else None, font=20)
        if fig is None:
            continue
        for trace in fig.data:
            horizontal = slide.chart.orientation == "bar"
            labels = trace.y if horizontal else trace.x
            for label in labels:
                assert not str(label).endswith("\u2026"), (slide.kind, label)
                assert str(label).count("<br>") <= 1, (slide.kind, label)


def test_label_lines_grow_only_as_far_as_the_longest_name_needs():
    assert label_width(["Short", "Names"]) == 30
    seventy = "IMM-uri cu cel puțin un nivel de bază de intensitate digitală (DII v3)"
    width = label_width([seventy])
    assert 30 < width <= 40
    assert label_width(["word " * 40]) == 40
