"""A small store of members and services for the services page's tests (AppTest and
browser): three members from a hub-template file, five services from the hub's template
(one undated) and three from the Commission's export, two of whose customers are not
linked to a member. Every name carries "Secret", so a test can look for any name leaking.

What it holds, worked out by hand:
- services 8; distinct customers 5 (RO100, RO200, RO300, "Secretnecunoscuta Unu" under
  two spellings, "Secret Comuna Delta");
- by category: Test before invest 2 services / 2 customers; Training 3 / 3;
  Support to find investment 1 / 1; Innovation ecosystem 2 / 2;
- by month: 2025-03 2/1, 2025-04 2/2, 2025-05 1/1, 2025-06 2/2, no date 1/1;
- by kind: sme 6 services / 3 customers (RO100, RO200, Secretnecunoscuta Unu),
  pso 2 / 2 (RO300, Comuna Delta);
- by county (latest assessment): CJ 3 services / 2 customers (RO100, RO300), BH 2 / 1,
  unlinked 3 / 2;
- by cluster: Administrație 1/1, IT 2/1, Mobilă 2/1, unlinked 3/2;
- total price 1 000 + 200 + 300 + 850 = 2 350 EUR.
"""

from __future__ import annotations

from support.store_data import ADMIN, hub_csv, row

from dih_dash.services import import_file
from dih_dash.services.services_import import import_services_file
from dih_dash.settings import Settings
from dih_dash.store import Store

MEMBER_NAMES = {
    "RO100": "SecretAlfa Mobilier SRL",
    "RO200": "SecretBeta Soft SRL",
    "RO300": "Secret Primăria Gama",
}
CUSTOMER_NAMES = (
    "Secretnecunoscuta Unu SRL",
    "Secretnecunoscuta Unu S.R.L.",
    "Secret Comuna Delta",
)

HUB_SERVICES = (
    "member_id,service_category,start_date,end_date,description,price_eur,status\n"
    "RO100,Test before invest,2025-03-01,2025-03-31,Pilot line,1000,Completed\n"
    "RO100,Training and skills development,2025-03-10,2025-03-12,AI course,200,Completed\n"
    "RO200,Training and skills development,2025-04-02,2025-04-03,ERP course,300,Completed\n"
    "RO300,Support to find investment,2025-04-15,,Funding advice,,Ongoing\n"
    "RO200,Innovation ecosystem and networking,,,Networking event,,Completed\n"
)
EXPORT_SERVICES = (
    "Customer,Customer type,Service category delivered,Dates,"
    'Short description of the service,"Service price, €",Status\n'
    f"{CUSTOMER_NAMES[0]},SME,Test before invest,2025-05-01 / 2025-05-20,Test,850,Completed\n"
    f"{CUSTOMER_NAMES[1]},SME,Training and skills development,2025-06-01,Course,,Completed\n"
    f"{CUSTOMER_NAMES[2]},PSO,Innovation ecosystem and networking,2025-06-10,Event,,Completed\n"
)


def add_services_store(store: Store, settings: Settings) -> None:
    """Fill `store` with the members and services described above."""
    members = [
        row("RO100", "T0", company_name=MEMBER_NAMES["RO100"], cluster="Mobilă", county="BH"),
        # The latest round decides the place: RO100 moved its seat from BH to CJ.
        row("RO100", "T1", company_name=MEMBER_NAMES["RO100"], cluster="Mobilă", county="CJ"),
        row("RO200", "T0", company_name=MEMBER_NAMES["RO200"], cluster="IT", county="BH"),
        row(
            "RO300",
            "T0",
            company_name=MEMBER_NAMES["RO300"],
            cluster="Administrație",
            county="CJ",
            org_type="pso",
        ),
    ]
    report = import_file(store, hub_csv(members), "membri.csv", actor=ADMIN, settings=settings)
    assert report.stored, [e.to_dict() for e in report.errors]
    for name, text in (("servicii-hub.csv", HUB_SERVICES), ("export.csv", EXPORT_SERVICES)):
        done = import_services_file(store, text.encode(), name, actor=ADMIN, settings=settings)
        assert done.stored, done.to_json_dict("en")
