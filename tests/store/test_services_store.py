"""Services delivered in the store (spec/edih-services.md §3.3–§4), on SQLite and PostgreSQL:
the real-shaped exports, linking by folded name, remembered links, idempotent re-import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from support.backup_data import table_rows
from support.store_data import ADMIN, VIEWER, hub_csv, row

from dih_dash.services import import_file
from dih_dash.services.services_import import (
    import_services_file,
    link_customer,
    service_counts,
)
from dih_dash.settings import Settings, load_settings
from dih_dash.store import Store
from dih_dash.store.backup import backup_store, restore_store
from dih_dash.store.schema import members, service_history, services, uploads

FIXTURES = Path(__file__).parents[1] / "fixtures" / "services"
EXPORT_XLSX = (FIXTURES / "services_export.xlsx").read_bytes()
EXPORT_CSV = (FIXTURES / "services_export_cp1250.csv").read_bytes()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(env={"DIH_DASH_DATA_DIR": str(tmp_path / "data")}, secrets={})


def add_members(store: Store, settings: Settings, names: dict[str, str]) -> None:
    data = hub_csv([row(mid, company_name=name) for mid, name in names.items()])
    report = import_file(store, data, "membri.csv", actor=ADMIN, settings=settings)
    assert report.stored, [e.to_dict() for e in report.errors]


def linked(store: Store) -> dict[str, str | None]:
    """Customer name → member id (None: unlinked), for every stored service."""
    query = select(services.c.customer_name, members.c.member_id).select_from(
        services.outerjoin(members, services.c.member_pk == members.c.id)
    )
    with store.engine.connect() as conn:
        return {name: mid for name, mid in conn.execute(query)}


def test_the_export_is_linked_by_folded_name_and_the_rest_reported(
    store: Store, settings: Settings
) -> None:
    add_members(
        store,
        settings,
        {
            "RO100": "ALFA MOBILIER SRL",
            "RO200": "Ștefănescu Soft S.R.L.",  # the export writes the cedilla Ş
            "RO300": "Gama Trading SRL",  # two members fold to "gamatrading": ambiguous
            "RO301": "GAMA TRADING S.A.",
        },
    )
    report = import_services_file(
        store, EXPORT_XLSX, "services.xlsx", actor=ADMIN, settings=settings
    )
    assert report.refused is None
    body = report.to_json_dict("en")
    assert body["layout"] == "services-export"
    assert (body["rows"], body["inserted"], body["rejected"], body["stored"]) == (5, 5, 0, True)
    assert body["unlinked"] == ["Primăria Comunei Țaga", "Beta Consult SA", "Gama Trading S.A."]
    customer_warnings = [w for w in body["warnings"] if w["column"] == "Customer"]
    assert [w["row"] for w in customer_warnings] == [4, 5, 6]
    assert "RO300, RO301" in customer_warnings[2]["message"]
    assert linked(store) == {
        "Alfa Mobilier S.R.L.": "RO100",
        "ȘTEFĂNESCU SOFT SRL": "RO200",
        "Primăria Comunei Țaga": None,
        "Beta Consult SA": None,
        "Gama Trading S.A.": None,
    }
    assert service_counts(store) == {"services": 5, "services_unlinked": 3}


def test_the_same_file_twice_changes_nothing_and_a_new_price_is_an_update(
    store: Store, settings: Settings
) -> None:
    add_members(store, settings, {"RO100": "Alfa Mobilier SRL"})
    first = import_services_file(store, EXPORT_CSV, "s.csv", actor=ADMIN, settings=settings)
    assert (first.encoding, first.delimiter, first.inserted) == ("cp1250", ";", 3)
    with store.engine.connect() as conn:
        before = sorted(tuple(r) for r in conn.execute(select(services)))
    again = import_services_file(store, EXPORT_CSV, "s.csv", actor=ADMIN, settings=settings)
    assert (again.inserted, again.updated, again.unchanged, again.stored) == (0, 0, 3, True)
    with store.engine.connect() as conn:
        assert sorted(tuple(r) for r in conn.execute(select(services))) == before
        assert conn.execute(select(service_history)).all() == []

    changed = EXPORT_CSV.replace(b"2.400,00;Completed", b"2.600,00;Completed")
    assert changed != EXPORT_CSV
    third = import_services_file(store, changed, "s2.csv", actor=ADMIN, settings=settings)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 2)
    with store.engine.connect() as conn:
        (old,) = conn.execute(select(service_history)).all()
        prices = sorted(p for (p,) in conn.execute(select(services.c.price_eur)) if p)
        logged = conn.execute(
            select(uploads.c.layout, uploads.c.updated).where(uploads.c.layout != "hub")
        ).all()
    assert old.price_eur == 2400.0
    assert prices == [850.0, 2600.0]
    assert sorted(logged) == [
        ("services-export", 0),
        ("services-export", 0),
        ("services-export", 1),
    ]


def test_a_link_is_remembered_for_stored_and_later_rows(store: Store, settings: Settings) -> None:
    add_members(store, settings, {"RO500": "Țesătoria Nouă SRL", "RO600": "Alta Firma"})
    import_services_file(store, EXPORT_CSV, "s.csv", actor=ADMIN, settings=settings)
    # "Țesătoria Nouă PFA" folds like the member's name: linked already.
    assert linked(store)["Țesătoria Nouă PFA"] == "RO500"
    assert linked(store)["ALFA MOBILIER SRL"] is None
    assert link_customer(store, "Alfa Mobilier", "ro600", ADMIN) == 1
    assert linked(store)["ALFA MOBILIER SRL"] == "RO600"
    assert link_customer(store, "Alfa Mobilier", "NOPE", ADMIN) is None
    # A later file with another spelling of the same name uses the link.
    report = import_services_file(
        store, EXPORT_XLSX, "services.xlsx", actor=ADMIN, settings=settings
    )
    assert "Alfa Mobilier S.R.L." not in report.unlinked
    assert linked(store)["Alfa Mobilier S.R.L."] == "RO600"
    with pytest.raises(PermissionError):
        link_customer(store, "Alfa Mobilier", "RO600", VIEWER)


def test_hub_rows_need_a_stored_member_all_or_nothing(store: Store, settings: Settings) -> None:
    add_members(store, settings, {"RO100": "Alfa SRL"})
    data = (
        b"member_id,service_category,start_date,end_date,description,price_eur,status\r\n"
        b'ro100,Test before invest,2025-03-01,2025-03-31,Pilot,"1,250.50",Completed\r\n'
        b"RO999,Training and skills development,2025-04-01,,Course,,Ongoing\r\n"
    )
    blocked = import_services_file(store, data, "hub.csv", actor=ADMIN, settings=settings)
    assert (blocked.rejected, blocked.stored, blocked.exit_code) == (1, False, 1)
    assert [(e.row, e.column, e.value) for e in blocked.errors] == [(3, "member_id", "RO999")]
    assert service_counts(store)["services"] == 0
    skipped = import_services_file(
        store, data, "hub.csv", actor=ADMIN, settings=settings, skip_invalid=True
    )
    assert (skipped.inserted, skipped.rejected, skipped.stored) == (1, 1, True)
    assert linked(store) == {None: "RO100"}
    assert service_counts(store) == {"services": 1, "services_unlinked": 0}


def test_a_dry_run_stores_and_logs_nothing(store: Store, settings: Settings) -> None:
    report = import_services_file(
        store, EXPORT_XLSX, "s.xlsx", actor=VIEWER, settings=settings, dry_run=True
    )
    assert (report.inserted, report.stored, report.exit_code) == (5, False, 0)
    assert len(report.unlinked) == 5
    assert service_counts(store) == {"services": 0, "services_unlinked": 0}
    assert store.stats()["uploads"] == 0


def test_a_backup_keeps_services_history_and_links(
    store: Store, store_url: str, settings: Settings, tmp_path: Path
) -> None:
    add_members(store, settings, {"RO100": "Alfa Mobilier SRL", "RO200": "Beta"})
    import_services_file(store, EXPORT_CSV, "s.csv", actor=ADMIN, settings=settings)
    changed = EXPORT_CSV.replace(b"850;", b"900;")
    import_services_file(store, changed, "s2.csv", actor=ADMIN, settings=settings)
    assert link_customer(store, "Tesatoria Noua", "RO200", ADMIN) == 1
    archive = tmp_path / "backup.zip"
    made = backup_store(store_url, archive)
    assert (made.tables["services"], made.tables["service_history"]) == (3, 1)
    assert made.tables["service_links"] == 1
    copy = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    restore_store(archive, copy)
    names = ("services", "service_history", "service_links")
    original, restored = table_rows(store_url), table_rows(copy)
    assert {n: restored[n] for n in names} == {n: original[n] for n in names}


def test_load_services_gives_each_row_with_its_member_and_the_unlinked_names_once(
    store: Store, settings: Settings
) -> None:
    from dih_dash.store.services_store import load_services, unlinked_customers

    add_members(store, settings, {"RO100": "ALFA MOBILIER SRL", "RO200": "Ștefănescu Soft S.R.L."})
    import_services_file(store, EXPORT_XLSX, "services.xlsx", actor=ADMIN, settings=settings)
    frame = load_services(store)
    assert len(frame) == 5
    by_name = frame.set_index("customer_name")
    assert by_name.loc["Alfa Mobilier S.R.L.", "member_id"] == "RO100"
    assert by_name.loc["Alfa Mobilier S.R.L.", "org_type"] == "sme"
    assert by_name.loc["Beta Consult SA", "member_id"] is None
    assert not frame["is_demo"].any()
    starts = [d for d in frame["start_date"] if d is not None]
    assert starts == sorted(starts) and all(type(d).__name__ == "date" for d in starts)
    unlinked = unlinked_customers(store)
    assert list(unlinked["customer_name"]) == [
        "Beta Consult SA",
        "Gama Trading S.A.",
        "Primăria Comunei Țaga",
    ]
    assert list(unlinked["services"]) == [1, 1, 1]
    before = store.data_version()
    assert link_customer(store, "Beta Consult", "RO100", ADMIN) == 1
    assert store.data_version() != before  # a link alone moves the pages' cache key
    assert "Beta Consult SA" not in set(unlinked_customers(store)["customer_name"])


def test_demo_services_go_with_the_demo_and_real_ones_stay(
    store: Store, settings: Settings
) -> None:
    from dih_dash.store.services_store import load_services

    add_members(store, settings, {"RO100": "ALFA MOBILIER SRL"})
    import_services_file(store, EXPORT_XLSX, "services.xlsx", actor=ADMIN, settings=settings)
    demo_file = "customer;customer type;service category delivered;dates\n" + (
        "Alfa Mobilier SRL;SME;Test before invest;2025-03-01 / 2025-03-02\n"
    )
    report = import_services_file(
        store, demo_file.encode(), "demo.csv", actor=ADMIN, settings=settings, demo=True
    )
    assert report.stored and report.inserted == 1
    frame = load_services(store)
    assert list(frame["is_demo"]).count(True) == 1
    assert len(load_services(store, include_demo=False)) == 5
    removed = store.remove_demo(ADMIN)
    assert removed["services"] == 1 and removed["uploads"] == 1
    assert len(load_services(store)) == 5


def test_a_big_file_is_compared_by_one_pass_over_the_table(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above `_WHOLE_TABLE` keys the stored rows are read in one pass instead of IN lists:
    the same answer, unchanged and updated rows alike."""
    from dih_dash.store import services_store

    add_members(store, settings, {"RO100": "ALFA MOBILIER SRL"})
    first = import_services_file(store, EXPORT_CSV, "s.csv", actor=ADMIN, settings=settings)
    assert first.inserted == 3
    monkeypatch.setattr(services_store, "_WHOLE_TABLE", 2)
    again = import_services_file(store, EXPORT_CSV, "again.csv", actor=ADMIN, settings=settings)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = EXPORT_CSV.replace(b"Completed", b"Ongoing", 1)
    assert changed != EXPORT_CSV
    report = import_services_file(store, changed, "changed.csv", actor=ADMIN, settings=settings)
    assert report.updated == 1 and report.inserted == 0


def test_a_real_file_makes_an_equal_demo_row_real(store: Store, settings: Settings) -> None:
    from dih_dash.store.services_store import load_services

    add_members(store, settings, {"RO100": "ALFA MOBILIER SRL"})
    data = (
        b"customer;customer type;service category delivered;dates\n"
        b"Alfa Mobilier SRL;SME;Test before invest;2025-03-01 / 2025-03-02\n"
    )
    import_services_file(store, data, "demo.csv", actor=ADMIN, settings=settings, demo=True)
    again = import_services_file(store, data, "demo.csv", actor=ADMIN, settings=settings, demo=True)
    assert (again.updated, again.unchanged) == (0, 1)
    real = import_services_file(store, data, "real.csv", actor=ADMIN, settings=settings)
    assert (real.updated, real.unchanged) == (1, 0)
    assert list(load_services(store)["is_demo"]) == [False]
    store.remove_demo(ADMIN)
    assert len(load_services(store)) == 1, "the row a real file brought stays"
    twice = import_services_file(store, data, "real.csv", actor=ADMIN, settings=settings)
    assert (twice.updated, twice.unchanged) == (0, 1)


def test_real_services_never_link_to_demo_members(store: Store, settings: Settings) -> None:
    """A real hub row naming a demo member is an unknown member, a real export name that
    folds like a demo company stays unlinked, and `services link` refuses a demo member:
    removing the demo can then never leave a real service without its member."""
    from dih_dash.services import load_demo
    from dih_dash.store.services_store import load_services, unlinked_customers

    load_demo(store, settings, ADMIN)
    demo = store.load_assessments()
    demo_id, demo_name = demo.iloc[0]["member_id"], demo.iloc[0]["company_name"]
    hub = f"member_id,service_category\n{demo_id},Test before invest\n".encode()
    report = import_services_file(store, hub, "hub.csv", actor=ADMIN, settings=settings)
    assert report.rejected == 1 and not report.stored
    assert [e.code for e in report.errors] == ["unknown_member"]
    export = (
        f"Customer;Customer type;Service category delivered\n{demo_name};SME;Test before invest\n"
    ).encode()
    report = import_services_file(store, export, "export.csv", actor=ADMIN, settings=settings)
    assert report.stored and report.unlinked == [demo_name]
    assert link_customer(store, demo_name, demo_id, ADMIN) is None
    store.remove_demo(ADMIN)
    assert list(unlinked_customers(store)["customer_name"]) == [demo_name]
    assert load_services(store, include_demo=True)["member_id"].isna().all()


def test_a_pso_customer_is_not_linked_to_an_sme_of_the_same_name(
    store: Store, settings: Settings
) -> None:
    add_members(store, settings, {"RO100": "Primaria Exemplu"})  # stored as an SME
    export = (
        "Customer;Customer type;Service category delivered;Dates\n"
        "Primăria Exemplu;PSO;Test before invest;2025-01-10\n"
        "Primaria Exemplu;SME;Test before invest;2025-02-10\n"
    ).encode()
    report = import_services_file(store, export, "export.csv", actor=ADMIN, settings=settings)
    assert report.stored
    # One folded name, so one customer key: its first row (a PSO) finds no PSO member.
    assert report.unlinked == ["Primăria Exemplu"]
    assert set(linked(store).values()) == {None}


def test_deleting_a_member_takes_its_hub_services_and_unlinks_its_export_ones(
    store: Store, settings: Settings
) -> None:
    from dih_dash.store.services_store import load_services, unlinked_customers

    add_members(store, settings, {"RO100": "ALFA MOBILIER SRL", "RO200": "Beta Soft SRL"})
    hub = (
        b"member_id,service_category,description\n"
        b"RO100,Test before invest,Testare\nRO200,Test before invest,Testare\n"
    )
    assert import_services_file(store, hub, "hub.csv", actor=ADMIN, settings=settings).stored
    import_services_file(store, EXPORT_XLSX, "services.xlsx", actor=ADMIN, settings=settings)
    assert link_customer(store, "Beta Consult SA", "RO100", ADMIN) == 1
    before = load_services(store)
    alfa_export = before[
        (before["member_id"] == "RO100") & before["customer_key"].str.startswith("name:")
    ]
    assert len(alfa_export) == 2  # "Alfa Mobilier S.R.L." and the linked "Beta Consult SA"

    assert store.delete_member("RO100", ADMIN)
    after = load_services(store)
    assert "member:RO100" not in set(after["customer_key"]), "its hub rows went with it"
    assert set(after[after["customer_key"] == "member:RO200"]["member_id"]) == {"RO200"}
    assert after["member_id"].ne("RO100").all()
    names = set(unlinked_customers(store)["customer_name"])
    assert {"Alfa Mobilier S.R.L.", "Beta Consult SA"} <= names, "export rows kept, unlinked"
    assert None not in names


def test_has_real_data_sees_a_real_assessment_or_a_real_service(
    store: Store, settings: Settings
) -> None:
    from dih_dash.services import load_demo

    assert not store.has_real_data()
    load_demo(store, settings, ADMIN)
    assert not store.has_real_data(), "the demo is not real data"
    hub = b"Customer;Customer type;Service category delivered\nNimeni SRL;SME;Test before invest\n"
    import_services_file(store, hub, "s.csv", actor=ADMIN, settings=settings)
    assert store.has_real_data(), "a real service (even unlinked) is"
