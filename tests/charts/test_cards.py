from dih_dash.charts.cards import Card, card_html, cards_html, inline_text


def test_text_is_escaped_and_only_bold_becomes_markup():
    assert inline_text("Media UE: **71,4%** <script>") == (
        "Media UE: <strong>71,4%</strong> &lt;script&gt;"
    )
    assert inline_text("a * b ** c") == "a * b ** c"


def test_card_shows_value_change_with_arrow_and_tone():
    made = card_html(
        Card(
            "SMEs with basic digital intensity",
            'Share of "SMEs"',
            label="Romania",
            value="44.3%",
            change="−27.1 pp vs EU",
            direction="down",
            tone="bad",
            lines=["EU average: **71.4%**", "Rank: **26** of 27"],
            source="Source: Eurostat · data year 2025",
        )
    )
    assert '<p class="kpi-value">44.3%</p>' in made
    assert '<span class="kpi-delta kpi-bad">↓ −27.1 pp vs EU</span>' in made
    assert "EU average: <strong>71.4%</strong><br>Rank: <strong>26</strong> of 27" in made
    assert 'title="Share of &quot;SMEs&quot;"' in made, "the definition, quotes escaped"
    assert made.endswith('<p class="kpi-source">Source: Eurostat · data year 2025</p></div>')


def test_card_without_value_has_no_value_or_change():
    made = card_html(Card("EU-level KPI", lines=["No country values."], source="A note"))
    assert "kpi-value" not in made and "kpi-delta" not in made and "kpi-help" not in made
    assert "No country values." in made


def test_neutral_change_has_no_arrow():
    made = card_html(Card("x", label="RO", value="1", change="0.0 pp vs EU"))
    assert '<span class="kpi-delta kpi-neutral">0.0 pp vs EU</span>' in made


def test_grid_carries_its_style_and_every_card():
    made = cards_html([Card("one", label="a", value="1"), Card("two", label="b", value="2")])
    assert made.startswith("<style>") and made.count('<div class="kpi-card">') == 2
