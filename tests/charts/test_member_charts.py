"""Member charts: each builds with the expected traces and labels in both languages, carries
its source line, keeps member and national values in separate bars, never shows a member's
name unless the caller passes it, and draws the county map offline from the GeoJSON."""

from __future__ import annotations

import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from dih_dash.charts.members import (
    HIDDEN_COUNTY,
    RadarTrace,
    cohort_heatmap,
    county_map,
    dii_bands_chart,
    dimension_bars,
    dimension_radar,
    dma_band_chart,
    dumbbell_chart,
    headline_chart,
    members_text,
    progress_chart,
)
from dih_dash.charts.theme import EU, MEMBERS, MEMBERS_MICRO, ROMANIA, TARGET
from dih_dash.domain.cohort import (
    SUPPRESSED,
    cohort_medians,
    cohort_size,
    county_summary,
    dii_bands_by_wave,
    dii_share_by_wave,
    dimension_matrix,
    dimension_stats,
    dma_band_distribution,
    member_matrix,
    paired_assessments,
    progress_summary,
    suppress_small_groups,
)
from dih_dash.domain.scoring import score_assessments
from dih_dash.domain.survey_schema import ASSESSMENT_COLUMNS, DII_ITEMS, DMA_COLUMNS
from dih_dash.i18n import Translator
from dih_dash.sources.geo import BOUNDARIES_ATTRIBUTION, COUNTY_GEOJSON, load_county_geojson
from dih_dash.sources.reference import county_table

MIN_GROUP = 5


def cohort() -> pd.DataFrame:
    """Twelve 10+ members and three micro members in T0; ten of the 10+ again in T1.
    Company names are "Secret…" so a leak into a figure is easy to spot."""
    rows = []
    for i in range(15):
        micro = i >= 12
        for wave in ("T0", "T1"):
            if wave == "T1" and (i >= 10):
                continue
            # Changes of 3 to 6 points, so the quartiles differ from the median.
            step = 3.0 + i % 4 if wave == "T1" else 0.0
            record = dict.fromkeys(ASSESSMENT_COLUMNS)
            record |= {
                "member_id": f"RO{1000 + i}",
                "company_name": f"Secret Mobila {i} SRL",
                "wave": wave,
                "cluster": "IT" if i % 2 else "Mobilier",
                "size_class": "micro" if micro else "small",
                "employees": 4 if micro else 20,
                "county": "CJ" if i < 8 else "BH",
                "dma_strategy": 20.0 + 3 * i + step,
                "dma_readiness": 30.0 + 2 * i + step,
                "dma_human": 25.0 + i + step,
                "dma_data": 35.0 + i + step,
                "dma_automation": 15.0 + 2 * i + step,
                "dma_green": 40.0 - i + step,
            }
            record["dma_overall"] = sum(record[c] for c in DMA_COLUMNS[:-1]) / 6
            yes = (i % 12) + (1 if wave == "T1" else 0)
            record |= {item: n < yes for n, item in enumerate(DII_ITEMS)}
            rows.append(record)
    frame = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    for item in DII_ITEMS:
        frame[item] = frame[item].astype("boolean")
    frame["employees"] = frame["employees"].astype("Int64")
    return score_assessments(frame)


def national_basic() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["desi_sme_di3_gelo"] * 4,
            "geo": ["RO", "RO", "EU27_2020", "EU27_2020"],
            "period": [2023, 2025, 2023, 2025],
            "value": [26.8, 44.34, 57.7, 71.39],
            "flag": ["", "b", "", ""],
        }
    )


def national_bands() -> pd.DataFrame:
    rows = []
    for geo, values in (("RO", (56.0, 28.0, 13.0, 3.0)), ("EU27_2020", (29.0, 35.0, 27.0, 9.0))):
        for band, value in zip(("vlo", "lo", "hi", "vhi"), values, strict=True):
            rows.append({"indicator": f"dii3_{band}", "geo": geo, "period": 2025,
                         "value": value, "flag": ""})  # fmt: skip
    return pd.DataFrame(rows)


def secrets(frame: pd.DataFrame) -> set[str]:
    return set(frame["company_name"]) | set(frame["member_id"])


def leaks(fig: go.Figure, names: set[str]) -> list[str]:
    text = fig.to_json()
    return sorted(name for name in names if name in text)


@pytest.fixture(scope="module")
def geojson() -> dict:
    return load_county_geojson()


# --- the headline -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_headline_bars_for_members_and_nations_never_a_line(lang):
    tr = Translator(lang)
    frame = cohort()
    shares = dii_share_by_wave(frame)
    fig = headline_chart(shares, national_basic(), tr, members=15)
    assert all(isinstance(trace, go.Bar) for trace in fig.data)
    names = [trace.name for trace in fig.data]
    assert names[:2] == [
        tr("members.headline.legend_10plus"),
        tr("members.headline.legend_micro"),
    ]
    ten, micro, romania, eu = fig.data
    expected = shares.set_index(["wave", "size_group"])["share"]
    assert list(ten.x) == ["T0", "T1"]
    assert list(ten.y) == pytest.approx([expected["T0", "10plus"], expected["T1", "10plus"]])
    assert micro.y[0] == pytest.approx(expected["T0", "micro"]) and micro.y[1] is None
    assert (ten.marker.color, micro.marker.color) == (MEMBERS, MEMBERS_MICRO)
    # The national bars: the latest year, labelled with it, flag shown.
    assert romania.x[0].endswith("2025") and romania.y[0] == 44.34
    assert romania.marker.color == ROMANIA and eu.marker.color == EU
    assert romania.text[0].endswith(" b")
    eu_name = eu.x[0].replace("<br>", " ")
    assert eu_name == f"{'Media UE (UE-27)' if lang == 'ro' else 'EU average (EU-27)'} 2025"
    assert any(s.y0 == 90.0 and s.line.color == TARGET for s in fig.layout.shapes)
    note = fig.layout.title.subtitle.text.replace("<br>", " ")
    survey = "chestionarul hubului (DMA/DII)" if lang == "ro" else "hub survey (DMA/DII)"
    assert survey in note and "T0, T1" in note
    assert "15 membri" in note if lang == "ro" else "15 members" in note
    assert "isoc_e_dii, E_DI3_GELO, 10–249" in note and "2025" in note
    assert fig.layout.separators == (",." if lang == "ro" else ".,")


def test_headline_hides_a_small_group_and_says_so():
    tr = Translator("en")
    frame = cohort()
    shares = suppress_small_groups(dii_share_by_wave(frame), "members", MIN_GROUP)
    fig = headline_chart(shares, national_basic(), tr, members=15, min_group=MIN_GROUP)
    micro = fig.data[1]
    assert list(micro.y) == [None, None]  # 3 micro members in T0: below 5
    assert fig.data[0].y[0] is not None
    note = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert "fewer than 5 members: micro members (<10 employees) T0" in note


def test_a_row_marked_suppressed_is_never_drawn_even_with_numbers_left_in_it():
    tr = Translator("en")
    frame = cohort()
    # Blanking only the gap leaves the share in the row: the mark alone must hide it.
    shares = suppress_small_groups(
        dii_share_by_wave(frame), "members", MIN_GROUP, ["gap_to_target"], hide_count=False
    )
    assert shares[SUPPRESSED].any() and shares["share"].notna().all()
    headline = headline_chart(shares, national_basic(), tr, members=15, min_group=MIN_GROUP)
    assert list(headline.data[1].y) == [None, None]
    bands = suppress_small_groups(
        dii_bands_by_wave(frame), "members", MIN_GROUP, ["in_band"], hide_count=False
    )
    fig = dii_bands_chart(bands, national_bands(), tr, members=15, min_group=MIN_GROUP)
    # The hidden row keeps its place with no bar in any band, and says it is hidden.
    row = tr("members.bands.row_micro", wave="T0")
    for trace in fig.data:
        assert trace.x[list(trace.y).index(row)] is None
    assert [a.y for a in fig.layout.annotations if a.text == "< 5 members – hidden"] == [row]
    stats = suppress_small_groups(
        dimension_stats(frame, by="size_class"), "members", MIN_GROUP, ["mean"], hide_count=False
    )
    bars = dimension_bars(stats, tr, members=15, by="size_class", min_group=MIN_GROUP)
    assert tr("members.size_classes.micro") not in [t.name.split(" · ")[0] for t in bars.data]


def test_headline_without_national_data_still_draws_the_members():
    fig = headline_chart(
        dii_share_by_wave(cohort()), national_basic().iloc[0:0], Translator("ro"), members=15
    )
    assert len(fig.data) == 2 and "Eurostat" not in fig.layout.title.subtitle.text


# --- DII bands and DMA bands --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_dii_bands_members_beside_romania_and_the_eu(lang):
    tr = Translator(lang)
    bands = dii_bands_by_wave(cohort())
    fig = dii_bands_chart(bands, national_bands(), tr, members=15)
    assert [t.name for t in fig.data] == [tr(f"dii_bands.{b}") for b in ("vlo", "lo", "hi", "vhi")]
    rows = list(fig.data[0].y)
    assert rows[0] == tr("members.bands.row_10plus", wave="T0")
    romania, eu = (
        ("România", "Media UE (UE-27)") if lang == "ro" else ("Romania", "EU average (EU-27)")
    )
    assert rows[-2:] == [f"{romania} · 2025", f"{eu} · 2025"]
    # Every row's four bands add up to 100.
    for i in range(len(rows)):
        assert sum(trace.x[i] or 0 for trace in fig.data) == pytest.approx(100.0)
    assert fig.data[0].x[-2] == 56.0
    note = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert "E_DI3_VLO…E_DI3_VHI" in note and "2025" in note


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_dma_band_chart_stacks_the_four_bands_per_wave(lang):
    tr = Translator(lang)
    distribution = dma_band_distribution(cohort())
    fig = dma_band_chart(distribution, tr, members=15)
    assert fig.layout.barmode == "stack"
    labels = [tr(f"members.dma_bands.{b}") for b in ("basic", "average")]
    assert [t.name for t in fig.data][:2] == labels
    assert list(fig.data[0].x) == ["T0", "T1"]
    for i in range(2):
        assert sum(t.y[i] or 0 for t in fig.data) == pytest.approx(100.0)
    by_cluster = dma_band_chart(
        dma_band_distribution(cohort(), by="cluster"), tr, members=15, by="cluster"
    )
    assert "T0 · IT" in list(by_cluster.data[0].x)


# --- radar, bars, heatmap ------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_radar_draws_closed_shapes_on_0_to_100(lang):
    tr = Translator(lang)
    frame = cohort()
    traces = [
        RadarTrace(tr("members.radar.cohort_median", wave=w), cohort_medians(frame, w))
        for w in ("T0", "T1")
    ]
    traces.append(RadarTrace("IT T1", cohort_medians(frame, "T1", "IT"), "group"))
    traces.append(RadarTrace("Firma X, T1", frame.iloc[1], "member"))
    fig = dimension_radar(traces, tr, waves=["T0", "T1"], members=15)
    assert [type(t) for t in fig.data] == [go.Scatterpolar] * 4
    assert tuple(fig.layout.polar.radialaxis.range) == (0, 100)
    first = fig.data[0]
    assert len(first.r) == 7 and first.r[0] == first.r[-1]
    assert first.theta[0].replace("<br>", " ") == tr("members.dimensions.dma_strategy")
    assert fig.data[0].line.dash == "dash" and fig.data[3].line.dash == "solid"
    assert fig.data[0].name == tr("members.radar.cohort_median", wave="T0")


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_dimension_bars_one_series_per_group_small_groups_hidden(lang):
    tr = Translator(lang)
    t0 = cohort()[lambda f: f["wave"] == "T0"]
    stats = suppress_small_groups(dimension_stats(t0, by="size_class"), "members", MIN_GROUP)
    fig = dimension_bars(stats, tr, members=15, by="size_class", min_group=MIN_GROUP)
    # small: 12 members drawn; micro: 3 members hidden.
    assert [t.name for t in fig.data] == [tr("members.size_classes.small")]
    medians = stats[stats["group"] == "small"].set_index("dimension")["median"]
    assert list(fig.data[0].x) == pytest.approx([medians[d] for d in DMA_COLUMNS])
    assert fig.data[0].y[-1].replace("<br>", " ") == tr("members.dimensions.dma_overall")
    note = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert tr("members.size_classes.micro") in note


def test_heatmap_rows_are_what_the_caller_gives():
    tr = Translator("en")
    frame = cohort()
    t1 = frame[frame["wave"] == "T1"]
    stats = suppress_small_groups(dimension_stats(t1, by="cluster"), "members", MIN_GROUP)
    public = cohort_heatmap(dimension_matrix(stats), tr, waves=["T1"], members=10, by="cluster")
    assert list(public.data[0].y) == ["IT", "Mobilier"]
    assert len(public.data[0].z[0]) == len(DMA_COLUMNS)
    assert (public.data[0].zmin, public.data[0].zmax) == (0, 100)
    admin = cohort_heatmap(member_matrix(frame, "T1"), tr, waves=["T1"], members=10)
    assert "Secret Mobila 9 SRL" in admin.data[0].y and len(admin.data[0].y) == 10


# --- progress -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_progress_median_with_the_quartiles_as_error_bars(lang):
    tr = Translator(lang)
    paired = paired_assessments(cohort())
    summary = progress_summary(paired)
    fig = progress_chart(summary, tr, wave_from="T0", wave_to="T1", members=len(paired))
    marks = fig.data[0]
    assert list(marks.y) == pytest.approx(list(summary["median_change"]))
    assert list(marks.error_y.array) == pytest.approx(
        list(summary["q3_change"] - summary["median_change"])
    )
    assert list(marks.error_y.arrayminus) == pytest.approx(
        list(summary["median_change"] - summary["q1_change"])
    )
    # Strategy changes 3, 3, 3, 4, 4, 4, 5, 5, 6, 6: median 4, quartiles 3.25 and 5.
    assert marks.y[0] == 4.0
    assert (marks.error_y.arrayminus[0], marks.error_y.array[0]) == pytest.approx((0.75, 1.0))
    assert marks.text[0] == ("+4,0" if lang == "ro" else "+4.0")
    note = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert tr("members.progress.paired_note", members=members_text(tr, 10)) in note


def test_dumbbell_names_members_only_when_given():
    tr = Translator("ro")
    paired = paired_assessments(cohort())
    anonymous_rows = dumbbell_chart(paired, tr, wave_from="T0", wave_to="T1")
    assert not leaks(anonymous_rows, secrets(cohort()))
    assert "Membrul 1" in anonymous_rows.data[-1].y
    named = dumbbell_chart(
        paired, tr, wave_from="T0", wave_to="T1", labels=list(paired["company_name"])
    )
    assert "Secret Mobila 0 SRL" in named.data[-1].y
    markers = named.data[-1]
    assert list(markers.x) == sorted(markers.x)  # rows ordered by the score after
    with pytest.raises(ValueError, match="one label per"):
        dumbbell_chart(paired, tr, wave_from="T0", wave_to="T1", labels=["x"])


# --- the county map -----------------------------------------------------------------------


def test_county_geojson_is_normalised_and_matches_the_county_table(geojson):
    features = geojson["features"]
    assert len(features) == 42
    names = [f["properties"]["NAME_LATN"] for f in features]
    assert "Bistrița-Năsăud" in names and not any(c in "".join(names) for c in "şţŞŢ")
    ids = {f["properties"]["NUTS_ID"] for f in features}
    assert ids == set(county_table()["nuts3"])
    raw = json.loads(COUNTY_GEOJSON.read_text(encoding="utf-8"))
    assert "Bistriţa-Năsăud" in [f["properties"]["NAME_LATN"] for f in raw["features"]]


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_county_map_offline_with_suppressed_counties_grey(geojson, lang):
    tr = Translator(lang)
    frame = cohort()
    t0 = frame[frame["wave"] == "T0"]
    summary = county_summary(t0.iloc[:11], MIN_GROUP, county_table())  # Cluj 8 members, Bihor 3
    fig = county_map(summary, geojson, tr, min_group=MIN_GROUP, waves=["T0"], members=11)
    assert all(isinstance(trace, go.Choroplethmap) for trace in fig.data)
    text = fig.to_json()
    assert "mapbox" not in text
    assert fig.layout.map.style == "white-bg"
    assert not fig.layout.map.layers  # no text or symbol layers, nothing fetched
    assert 43.6 < fig.layout.map.center.lat < 48.3 and 20.2 < fig.layout.map.center.lon < 29.7
    located: list[str] = []
    for trace in fig.data:
        assert trace.featureidkey == "properties.NUTS_ID"
        assert len(trace.geojson["features"]) == 42
        located += list(trace.locations)
    assert sorted(located) == sorted(f["properties"]["NUTS_ID"] for f in geojson["features"])
    by_name = {trace.name: trace for trace in fig.data}
    fewer = tr("members.map.fewer_than", members=members_text(tr, MIN_GROUP))
    grey = by_name[fewer]
    assert list(grey.locations) == ["RO111"]  # Bihor: 3 members
    assert grey.colorscale[0][1] == HIDDEN_COUNTY
    assert grey.hovertext[0] == f"Bihor: {fewer}"
    coloured = next(t for t in fig.data if t.showscale is not False and t.zmax == 100)
    assert list(coloured.locations) == ["RO113"]
    cluj = summary.set_index("county").loc["CJ", "median_dma_overall"]
    assert coloured.z[0] == pytest.approx(cluj)
    source = fig.layout.title.subtitle.text.replace("<br>", " ")
    # The boundaries' attribution in the page's language (it was English on the RO map).
    assert tr("members.map.attribution") in source
    assert (BOUNDARIES_ATTRIBUTION in source) == (lang == "en")
    assert "EuroGeographics" in source


# --- the public view -----------------------------------------------------------------------


def test_no_member_name_or_id_in_any_chart_built_for_the_public(geojson):
    tr = Translator("en")
    frame = cohort()
    hidden = secrets(frame)
    members = cohort_size(frame).members
    public = frame.drop(columns=["member_id", "company_name"])
    paired = paired_assessments(frame)  # pairing needs the id; only its summary is drawn

    def suppressed(table: pd.DataFrame, count: str = "members") -> pd.DataFrame:
        return suppress_small_groups(table, count, MIN_GROUP)

    t1_stats = suppressed(dimension_stats(public[public["wave"] == "T1"], by="cluster"))
    figures = [
        headline_chart(suppressed(dii_share_by_wave(public)), national_basic(), tr,
                       members=members, min_group=MIN_GROUP),
        dii_bands_chart(suppressed(dii_bands_by_wave(public)), national_bands(), tr,
                        members=members, min_group=MIN_GROUP),
        dma_band_chart(suppressed(dma_band_distribution(public, by="cluster")), tr,
                       members=members, by="cluster", min_group=MIN_GROUP),
        dimension_radar([RadarTrace("median T1", cohort_medians(public, "T1"))], tr,
                        waves=["T1"], members=members),
        dimension_bars(t1_stats, tr, members=members, by="cluster", min_group=MIN_GROUP),
        cohort_heatmap(dimension_matrix(t1_stats), tr, waves=["T1"], members=members,
                       by="cluster"),
        progress_chart(suppressed(progress_summary(paired)), tr, wave_from="T0",
                       wave_to="T1", members=len(paired)),
        county_map(county_summary(frame, MIN_GROUP, county_table()), geojson, tr,
                   min_group=MIN_GROUP, waves=["T0", "T1"], members=members),
    ]  # fmt: skip
    for fig in figures:
        assert leaks(fig, hidden) == [], fig.layout.title.text


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "1 member"),
        ("en", 20, "20 members"),
        ("ro", 1, "1 membru"),
        ("ro", 5, "5 membri"),
        ("ro", 19, "19 membri"),
        ("ro", 20, "20 de membri"),
        ("ro", 101, "101 membri"),
        ("ro", 1200, "1.200 de membri"),
    ],
)
def test_member_counts_read_naturally(lang, count, expected):
    assert members_text(Translator(lang), count) == expected


# --- text from the files is shown as text, never as Plotly markup --------------------------

EVIL_NAME = '<a href="x">Evil</a> <b>SRL</b>'
EVIL_NAME_SHOWN = '&lt;a href="x"&gt;Evil&lt;/a&gt; &lt;b&gt;SRL&lt;/b&gt;'
EVIL_CLUSTER = '<span style="color:red">IT & Co</span>'
EVIL_CLUSTER_SHOWN = '&lt;span style="color:red"&gt;IT &amp; Co&lt;/span&gt;'
# The only tags the charts write themselves: line breaks, and the hover's <extra>.
OWN_TAGS = {"br", "extra"}


def strings(node: object) -> list[str]:
    """Every string of a figure as Plotly.js receives it (to_json would hide "<" as \\u003c)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        # A map's GeoJSON is data Plotly draws shapes from, never shows as text.
        return [s for key, value in node.items() if key != "geojson" for s in strings(value)]
    if isinstance(node, list | tuple):
        return [s for value in node for s in strings(value)]
    if hasattr(node, "tolist"):
        return strings(node.tolist())
    return []


def markup(fig: go.Figure) -> set[str]:
    """The HTML tags found in any text of the figure, besides the charts' own."""
    tags = {
        tag.lower()
        for text in strings(fig.to_plotly_json())
        for tag in re.findall(r"<\s*/?\s*([A-Za-z]+)", text)
    }
    return tags - OWN_TAGS


def shown(fig: go.Figure) -> str:
    return "\n".join(strings(fig.to_plotly_json()))


def evil_cohort() -> pd.DataFrame:
    frame = cohort()
    frame.loc[frame["member_id"] == "RO1001", "company_name"] = EVIL_NAME
    frame["cluster"] = frame["cluster"].replace({"IT": EVIL_CLUSTER})
    return frame


def test_escaping_proof_the_checks_see_raw_markup():
    # Without escaping the helpers find the tags: the tests below can fail.
    fig = go.Figure(go.Bar(x=[EVIL_NAME], y=[1], name=EVIL_CLUSTER))
    assert markup(fig) == {"a", "b", "span"}


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_clusters_from_the_files_are_escaped_in_group_charts(lang):
    tr = Translator(lang)
    frame = evil_cohort()
    t1 = frame[frame["wave"] == "T1"]
    stats = dimension_stats(t1, by="cluster")
    bars = dimension_bars(stats, tr, members=10, by="cluster")
    bands = dma_band_chart(dma_band_distribution(t1, by="cluster"), tr, members=10, by="cluster")
    heat = cohort_heatmap(dimension_matrix(stats), tr, waves=["T1"], members=10, by="cluster")
    for fig in (bars, bands, heat):
        assert markup(fig) == set(), fig.layout.title.text
        assert EVIL_CLUSTER_SHOWN in shown(fig)
    assert EVIL_CLUSTER_SHOWN in [t.name for t in bars.data]
    assert EVIL_CLUSTER_SHOWN in list(heat.data[0].y)
    # The hover inserts the row label, escaped, into its own markup.
    assert heat.data[0].hovertemplate.startswith("%{y}<br>")


def test_a_company_name_is_escaped_in_the_admin_charts():
    tr = Translator("en")
    frame = evil_cohort()
    labelled = frame.assign(label=frame["company_name"] + " (" + frame["member_id"] + ")")
    heat = cohort_heatmap(member_matrix(labelled, "T1", label_column="label"), tr,
                          waves=["T1"], members=10)  # fmt: skip
    paired = paired_assessments(frame)
    labels = [
        f"{n} ({m})" for n, m in zip(paired["company_name"], paired["member_id"], strict=True)
    ]
    dumbbell = dumbbell_chart(paired, tr, wave_from="T0", wave_to="T1", labels=labels)
    history = frame[frame["member_id"] == "RO1001"]
    radar = dimension_radar(
        [RadarTrace(tr("member_pages.profile.radar_member", name=EVIL_NAME, wave=row["wave"]),
                    row, "member") for _, row in history.iterrows()]
        + [RadarTrace(tr("member_pages.profile.radar_cluster", cluster=EVIL_CLUSTER, wave="T1"),
                      cohort_medians(frame, "T1", EVIL_CLUSTER), "group")],
        tr, waves=["T0", "T1"], members=15,
    )  # fmt: skip
    for fig in (heat, dumbbell, radar):
        assert markup(fig) == set(), fig.layout.title.text
        assert EVIL_NAME_SHOWN in shown(fig)
    assert f"{EVIL_NAME_SHOWN} (RO1001)" in list(heat.data[0].y)
    assert f"{EVIL_NAME_SHOWN} (RO1001)" in list(dumbbell.data[-1].y)
    assert any(
        text.startswith(f"{EVIL_NAME_SHOWN} (RO1001)<br>") for text in dumbbell.data[-1].hovertext
    )
    assert radar.data[0].name == f"{EVIL_NAME_SHOWN}, T0"
    assert radar.data[0].hovertext[0].startswith(f"{EVIL_NAME_SHOWN}, T0<br>")
    assert EVIL_CLUSTER_SHOWN in radar.data[-1].name


def test_county_names_from_the_boundaries_file_are_escaped(geojson):
    tr = Translator("en")
    features = [
        {**f, "properties": {**f["properties"], "NAME_LATN": "<b>Cluj</b>"}}
        if f["properties"]["NUTS_ID"] == "RO113"
        else f
        for f in geojson["features"]
    ]
    fig = county_map(county_summary(cohort(), 1, county_table()),
                     {**geojson, "features": features}, tr,
                     min_group=1, waves=["T0", "T1"], members=15)  # fmt: skip
    assert markup(fig) == set()
    assert any(
        text.startswith("&lt;b&gt;Cluj&lt;/b&gt;: ") for text in strings(fig.to_plotly_json())
    )


# --- public-sector organisations: their own instrument ------------------------------------------

PSO_DIMENSIONS = (
    "pso_strategy", "pso_readiness", "pso_human", "pso_data", "pso_interop", "pso_green",
)  # fmt: skip
SME_DIMENSIONS = tuple(DMA_COLUMNS[:-1])


def pso_cohort() -> pd.DataFrame:
    """Six public-sector organisations (kind `pso`) in T0 and T1, scores 60 + 2·i + dimension
    number (+5 at T1), no DII; company names "Secret Primaria…"."""
    rows = []
    for i in range(6):
        for wave in ("T0", "T1"):
            record = dict.fromkeys(ASSESSMENT_COLUMNS)
            record |= {
                "member_id": f"PSO{100 + i}",
                "company_name": f"Secret Primaria {i}",
                "wave": wave,
                "cluster": "Administratie",
                "county": "CJ" if i < 5 else "BH",
                "org_type": "pso",
            }
            record |= {
                d: 60.0 + 2 * i + n + (5 if wave == "T1" else 0)
                for n, d in enumerate(PSO_DIMENSIONS)
            }
            record["dma_overall"] = sum(record[d] for d in PSO_DIMENSIONS) / 6
            rows.append(record)
    frame = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    return score_assessments(frame)


def axis_names(values) -> list[str]:
    return [str(v).replace("<br>", " ") for v in values]


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_pso_radar_has_the_six_pso_axes_and_no_sme_axis(lang):
    tr = Translator(lang)
    frame = pso_cohort()
    traces = [RadarTrace(w, cohort_medians(frame, w, kind="pso")) for w in ("T0", "T1")] + [
        RadarTrace("member", frame.iloc[0], "member")
    ]
    fig = dimension_radar(traces, tr, waves=["T0", "T1"], members=6, kind="pso")
    expected = [tr(f"members.dimensions.{d}") for d in PSO_DIMENSIONS]
    sme = {tr(f"members.dimensions.{d}") for d in SME_DIMENSIONS} - set(expected)
    assert sme, "the two instruments share some names; the rest must differ"
    for trace in fig.data:
        assert axis_names(trace.theta) == [*expected, expected[0]]
        assert not sme & set(axis_names(trace.theta))
    # The medians are the PSOs' own: dimension n at T0 is 60 + n + median(2·i) = 65 + n.
    assert list(fig.data[0].r) == [65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 65.0]
    assert list(fig.data[2].r[:6]) == [60.0, 61.0, 62.0, 63.0, 64.0, 65.0]
    assert fig.layout.title.text.startswith(tr("members.radar.title_pso"))
    assert "DII" not in fig.layout.title.subtitle.text


def test_an_sme_figure_of_pso_scores_has_nothing_to_draw():
    """The SME radar reads the SME dimensions only: handed a PSO's row it draws no score
    (PSO rows carry empty `dma_*` dimensions), so the two can never meet on one radar."""
    tr = Translator("en")
    fig = dimension_radar(
        [RadarTrace("pso", pso_cohort().iloc[0], "member")], tr, waves=["T0"], members=1
    )
    assert all(r is None for r in fig.data[0].r)


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_pso_bands_bars_heatmap_and_progress_use_the_pso_dimensions(lang):
    tr = Translator(lang)
    frame = pso_cohort()
    expected = [tr(f"members.dimensions.{d}") for d in (*PSO_DIMENSIONS, "dma_overall")]
    stats = dimension_stats(frame, kind="pso")
    bars = dimension_bars(stats, tr, members=6, kind="pso")
    assert [axis_names(t.y) for t in bars.data] == [expected, expected]
    assert list(bars.data[0].x) == pytest.approx([65, 66, 67, 68, 69, 70, 67.5])
    assert bars.layout.title.text.startswith(
        tr("members.bars.title_pso", statistic=tr("members.statistic.median"))
    )
    heat = cohort_heatmap(member_matrix(frame, "T1", kind="pso"), tr, waves=["T1"], members=6,
                          kind="pso")  # fmt: skip
    assert axis_names(heat.data[0].x) == expected
    summary = progress_summary(paired_assessments(frame, kind="pso"), kind="pso")
    assert list(summary["median_change"]) == [5.0] * 7
    progress = progress_chart(summary, tr, wave_from="T0", wave_to="T1", members=6, kind="pso")
    assert axis_names(progress.data[0].x) == expected
    bands = dma_band_chart(dma_band_distribution(frame), tr, members=6, kind="pso")
    assert bands.layout.title.text.startswith(tr("members.dma_band.title_pso"))
    assert tr("members.source.survey_pso", waves="", members="").split("(")[0] in (
        bands.layout.title.subtitle.text
    )


def test_pso_county_map_title_and_source(geojson):
    tr = Translator("ro")
    summary = county_summary(pso_cohort()[lambda f: f["wave"] == "T1"], MIN_GROUP, county_table())
    fig = county_map(summary, geojson, tr, min_group=MIN_GROUP, waves=["T1"], members=6, kind="pso")
    assert fig.layout.title.text.startswith(tr("members.map.title_pso"))
    assert "sectorul public" in fig.layout.title.subtitle.text


# --- issue 13: a hidden group is said where it would stand -------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "< 5 members – hidden"), ("ro", "< 5 membri – ascuns")]
)
def test_a_hidden_bar_leaves_words_in_its_slot_not_a_silent_gap(lang, words):
    tr = Translator(lang)
    shares = suppress_small_groups(dii_share_by_wave(cohort()), "members", MIN_GROUP)
    fig = headline_chart(shares, national_basic(), tr, members=15, min_group=MIN_GROUP)
    hidden = [a for a in fig.layout.annotations if a.text == words]
    # 3 micro members in T0 (and none in T1): one hidden slot, the micro bar's of round T0.
    assert len(hidden) == 1
    slot = hidden[0]
    assert slot.textangle == -90 and slot.xref == "x" and slot.yref == "y"
    # Round T0 is category 0; the micro bar is the second of two in the slot: right of 0.
    assert 0 < slot.x < 0.5
    shown = [
        a for a in fig.layout.annotations if "hidden" in str(a.text) or "ascuns" in str(a.text)
    ]
    assert shown == hidden, "no hidden-slot text for a group that is drawn"


def test_a_hidden_10plus_round_is_said_at_its_own_slot():
    tr = Translator("en")
    shares = dii_share_by_wave(cohort())
    # Round T1 of the 10+ members marked hidden: its slot (category 1, first bar) says so.
    shares[SUPPRESSED] = (shares["wave"] == "T1") & (shares["size_group"] == "10plus")
    fig = headline_chart(shares, national_basic(), tr, members=15, min_group=MIN_GROUP)
    slots = [a for a in fig.layout.annotations if a.text == "< 5 members – hidden"]
    assert [round(a.x, 4) for a in slots] == [round(1 - 0.375 + 0.1875, 4)]
    assert fig.data[0].y[1] is None


@pytest.mark.parametrize("lang", ["en", "ro"])
def test_the_staff_map_says_no_rule_of_fewer_than_one_member(geojson, lang):
    """Signed in, nothing is hidden: the map's source line had "fewer than 1 member" /
    "mai puțin de 1 membru"."""
    tr = Translator(lang)
    t0 = cohort()[lambda f: f["wave"] == "T0"]
    summary = county_summary(t0, 1, county_table())
    fig = county_map(summary, geojson, tr, min_group=None, waves=["T0"], members=15)
    source = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert members_text(tr, 1) not in source
    assert tr("members.map.attribution") in source
    public = county_map(summary, geojson, tr, min_group=MIN_GROUP, waves=["T0"], members=15)
    rule = tr("members.map.rule", members=members_text(tr, MIN_GROUP))
    assert rule in public.layout.title.subtitle.text.replace("<br>", " ")


def test_a_hidden_dma_band_bar_says_so_in_its_place():
    tr = Translator("ro")
    distribution = dma_band_distribution(cohort(), by="size_class")
    shown = suppress_small_groups(distribution, "members", MIN_GROUP, ["in_band", "share"])
    fig = dma_band_chart(shown, tr, members=15, by="size_class", min_group=MIN_GROUP)
    micro = f"T0 · {tr('members.size_classes.micro')}"  # 3 micro members
    assert micro in list(fig.data[0].x)
    assert all(t.y[list(t.x).index(micro)] is None for t in fig.data)
    assert [a.x for a in fig.layout.annotations if a.text == "< 5 membri – ascuns"] == [micro]


def test_the_map_tells_hidden_counties_from_counties_without_members():
    """Issue 13: "no members" and "< 5" were #F4F4F4 and #BBBBBB (1.8:1), hard to tell
    apart on a projector; the two fills now differ by at least 3:1."""
    from dih_dash.charts.members import HIDDEN_COUNTY, NO_MEMBERS

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(NO_MEMBERS), luminance(HIDDEN_COUNTY)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 3.0


def test_a_round_has_one_colour_on_the_radar_and_the_bars():
    """Issue 13: T0/T1 colours differed between the cohort radar and the dimension bars."""
    import pandas as pd

    from dih_dash.charts.members import round_colour
    from dih_dash.domain.survey_schema import DMA_COLUMNS, DMA_DIMENSIONS

    tr = Translator("en")
    waves = ["T0", "T1"]
    stats = pd.DataFrame(
        [
            {"wave": w, "dimension": d, "median": 40.0 + i, "mean": 40.0, "members": 9,
             "suppressed": False}
            for i, w in enumerate(waves)
            for d in DMA_COLUMNS
        ]
    )  # fmt: skip
    bars = dimension_bars(stats, tr, members=9)
    radar = dimension_radar(
        [
            RadarTrace(
                w, dict.fromkeys(DMA_DIMENSIONS, 50.0), "cohort", colour=round_colour(w, waves)
            )
            for w in waves
        ],
        tr,
        waves=waves,
        members=9,
    )
    bar_colours = {t.name: t.marker.color for t in bars.data}
    radar_colours = {t.name: t.line.color for t in radar.data}
    assert bar_colours == radar_colours == {w: round_colour(w, waves) for w in waves}
    assert round_colour("T0", waves) != round_colour("T1", waves)
