"""The hub's targets file (sources.kpis): the shipped config/kpis.toml loads, and every
mistake a hub editor can make is refused with the file, the line and the key named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dih_dash.domain.services_schema import CATEGORIES
from dih_dash.settings import PROJECT_ROOT, load_settings
from dih_dash.sources.kpis import KpiFileError, load_kpi_targets

GOOD = """\
[programme]
start = 2024-01-01
end = 2027-12-31

[[target]]
id = "customers"
metric = "customers_served"
target = 150
label_en = "Customers served"
label_ro = "Clienți deserviți"

[[target]]
id = "pso"
metric = "customers_served"
kind = "pso"
target = 30
label_en = "PSOs served"
label_ro = "OSP deservite"

[[target]]
id = "t1"
metric = "assessments"
wave = "t1"
target = 100.5
label_en = "T1"
label_ro = "T1"
end = "2028-06-30"

[[target]]
id = "tbi"
metric = "services"
category = "test BEFORE invest"
target = 80
label_en = "TBI"
label_ro = "Testare"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kpis.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads() -> None:
    path = load_settings(env={}, secrets={}).kpis_file
    assert path == PROJECT_ROOT / "config" / "kpis.toml"
    targets = load_kpi_targets(path)
    assert len(targets) >= 5
    assert {t.metric for t in targets} == {"customers_served", "services", "assessments"}
    assert {t.wave for t in targets if t.metric == "assessments"} == {"T0", "T1"}
    assert {t.category for t in targets if t.category} == set(CATEGORIES)
    # An example end date still ahead, so the page shows a pace, not "ended".
    assert all(t.end_date > dt.date(2026, 12, 4) for t in targets)
    for t in targets:
        assert t.label_ro and t.label_en
        assert "ş" not in t.label_ro and "ţ" not in t.label_ro  # comma-below only


def test_the_setting_points_elsewhere(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    settings = load_settings(env={"DIH_DASH_KPIS_FILE": str(path)}, secrets={})
    assert settings.kpis_file == path


def test_a_good_file_reads_in_order_with_defaults_from_the_programme(tmp_path: Path) -> None:
    targets = load_kpi_targets(write(tmp_path, GOOD))
    assert [t.kpi for t in targets] == ["customers", "pso", "t1", "tbi"]
    customers, pso, t1, tbi = targets
    assert (customers.start_date, customers.end_date) == (
        dt.date(2024, 1, 1),
        dt.date(2027, 12, 31),
    )
    assert customers.target == 150.0 and customers.kind is None
    assert pso.kind == "pso"
    assert (t1.wave, t1.target, t1.end_date) == ("T1", 100.5, dt.date(2028, 6, 30))
    assert tbi.category == "Test before invest"


@pytest.mark.parametrize(
    ("change", "line", "fragment"),
    [
        (("target = 150", "target = 0"), 8, "key 'target']): must be greater than 0, got 0"),
        (("target = 30", "target = -2"), 16, "must be greater than 0, got -2"),
        (("target = 150", 'target = "many"'), 8, "expected a number, got 'many'"),
        (('metric = "services"', 'metric = "visits"'), 31, "unknown metric 'visits'"),
        (("end = 2027-12-31", 'end = "2027-13-01"'), 3, "expected a date such as 2027-12-31"),
        (('end = "2028-06-30"', 'end = "end of 2028"'), 27, "key 'end']): expected a date"),
        (('kind = "pso"', 'kind = "ngo"'), 15, "unknown kind 'ngo'"),
        (('category = "test BEFORE invest"', 'category = "Audit"'), 32, "unknown category"),
        (('wave = "t1"', 'wave = "final"'), 23, "expected a round such as T0 or T1"),
        (('id = "pso"', 'id = "customers"'), 13, "id 'customers' is used twice"),
        (('kind = "pso"', 'kinds = "pso"'), 15, "key 'kinds']): unknown key"),
        (("start = 2024-01-01", "start = 2028-01-01"), 3, "must end after it starts"),
    ],
)
def test_mistakes_name_the_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], line: int, fragment: str
) -> None:
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(KpiFileError) as caught:
        load_kpi_targets(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line} "), message
    assert fragment in message


def test_a_toml_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("target = 80", "target = = 80"))
    with pytest.raises(KpiFileError, match=r"kpis\.toml: not valid TOML: .*line 33"):
        load_kpi_targets(path)


def test_missing_pieces(tmp_path: Path) -> None:
    no_end = GOOD.replace("end = 2027-12-31\n", "")
    with pytest.raises(KpiFileError, match=r"line 4 \(\[target #1\]\): no end date"):
        load_kpi_targets(write(tmp_path, no_end))
    no_label = GOOD.replace('label_ro = "OSP deservite"\n', "")
    with pytest.raises(KpiFileError, match=r"\[target #2\]\): the key 'label_ro' is missing"):
        load_kpi_targets(write(tmp_path, no_label))
    with pytest.raises(KpiFileError, match="needs a wave"):
        load_kpi_targets(write(tmp_path, GOOD.replace('wave = "t1"\n', "")))
    with pytest.raises(KpiFileError, match=r"\[targets\]\): unknown table"):
        load_kpi_targets(write(tmp_path, GOOD.replace("[[target]]", "[[targets]]", 1)))
    with pytest.raises(KpiFileError, match="no such file"):
        load_kpi_targets(tmp_path / "absent.toml")
    assert load_kpi_targets(write(tmp_path, "[programme]\nend = 2027-12-31\n")) == []
