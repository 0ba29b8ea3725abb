"""Which members a customer name left unlinked by a services file may be linked to (the
linking page, spec/edih-services.md §3.3): the members of the kind the file gave it.
"""

from __future__ import annotations

import pandas as pd

from dih_dash.values import is_missing

# The file's customer types (services_schema.CUSTOMER_TYPES) and the member kind each is:
# a small mid-cap is a company, so it is compared with the SMEs.
KIND_OF_CUSTOMER_TYPE: dict[str, str] = {"SME": "sme", "Small mid-cap": "sme", "PSO": "pso"}

CANDIDATE_COLUMNS: tuple[str, ...] = ("member_id", "company_name", "kind")


def member_kinds(assessments: pd.DataFrame) -> pd.DataFrame:
    """Each real member once, with its latest company name and its kind (`sme` when the
    store has none, as for members stored before kinds existed), sorted by name, then id.
    Demo rows are left out: a real customer is never linked to a fictional company."""
    if "is_demo" in assessments.columns:
        assessments = assessments[~assessments["is_demo"].fillna(False).astype(bool)]
    if assessments.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CANDIDATE_COLUMNS})
    latest = assessments.drop_duplicates("member_id", keep="last")
    kinds = (
        latest["org_type"].map(lambda v: "sme" if is_missing(v) else str(v).strip().lower())
        if "org_type" in latest.columns
        else pd.Series("sme", index=latest.index)
    )
    found = pd.DataFrame(
        {
            "member_id": latest["member_id"].astype(str).to_numpy(),
            "company_name": latest["company_name"].astype(str).to_numpy(),
            "kind": kinds.to_numpy(),
        }
    )
    order = sorted(
        range(len(found)),
        key=lambda i: (found.at[i, "company_name"].casefold(), found.at[i, "member_id"]),
    )
    return found.iloc[order].reset_index(drop=True)


def link_candidates(members: pd.DataFrame, customer_type: str | None) -> pd.DataFrame:
    """The rows of `member_kinds` a customer of `customer_type` may be linked to: SMEs for
    `SME` and `Small mid-cap`, public-sector organisations for `PSO`, everyone when the
    type is not known (hub-template rows carry none)."""
    kind = KIND_OF_CUSTOMER_TYPE.get(str(customer_type)) if customer_type else None
    if kind is None:
        return members
    return members[members["kind"] == kind].reset_index(drop=True)
