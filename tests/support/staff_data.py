"""A small store for the staff pages' tests: two SMEs and a public-sector organisation
assessed, and a services export naming one of them, a customer no member matches and a
public body no member matches (both stored unlinked); the public-sector member is
undated."""

from __future__ import annotations

import datetime as dt

from support.store_data import ADMIN, frame, row, upload

from dih_dash.domain.survey_schema import PSO_DIMENSIONS
from dih_dash.services.services_import import ServicesReport, import_services_file
from dih_dash.settings import Settings
from dih_dash.store import Store

SERVICES_EXPORT = (
    "Customer,Customer type,Service category delivered,Dates,"
    'Short description of the service,"Service price, €",Status\r\n'
    "Alfa Mobilier S.R.L.,SME,Test before invest,2025-05-02 / 2025-06-30,"
    'Linie de ambalare,"2,400.00",Completed\r\n'
    "Atelier Nou SRL,SME,Training and skills development,2025-04-07 / 2025-04-09,"
    "Curs ERP,850,Completed\r\n"
    "ATELIER NOU S.R.L.,SME,Test before invest,2025-09-01 / 2025-10-15,"
    "Pilot vedere artificială,1200,Ongoing\r\n"
    "Primăria Orașului Test,PSO,Innovation ecosystem and networking,2025-03-20,"
    "Atelier de interoperabilitate,,Completed\r\n"
).encode()
UNLINKED_SME = "Atelier Nou SRL"
UNLINKED_PSO = "Primăria Orașului Test"


def seed_members(store: Store) -> None:
    rows = [
        row("ALFA01", company_name="Alfa Mobilier SRL", assessed_on=dt.date(2025, 3, 1)),
        row("BETA02", company_name="Beta Soft SRL", assessed_on=dt.date(2024, 1, 15)),
        row("GAMA03", company_name="Gama Construct SRL", assessed_on=dt.date(2025, 2, 1)),
        row(
            "PUB04",
            company_name="Primăria Comunei Exemplu",
            org_type="pso",
            assessed_on=None,
            **{name: 40.0 for name in PSO_DIMENSIONS},
        ),
    ]
    store.import_assessments(frame(rows), upload("members.csv"), actor=ADMIN)


def import_export(store: Store, settings: Settings) -> ServicesReport:
    return import_services_file(
        store, SERVICES_EXPORT, "services.csv", actor=ADMIN, settings=settings
    )
