"""The member-assessment record (spec/survey-format.md §2): column names, aliases, items.

This is the contract between the readers/validation (which produce an *assessment frame*
with exactly `ASSESSMENT_COLUMNS`), the store (which keeps it) and the analysis pages.
"""

from __future__ import annotations

KEY_COLUMNS = ("member_id", "wave")

# Hub-template columns with their Romanian aliases.
HUB_COLUMNS: dict[str, str | None] = {
    "member_id": "cod_membru",
    "company_name": "denumire",
    "wave": "etapa",
    "assessed_on": "data_evaluarii",
    "cluster": "cluster",
    "sector": "sector",
    "size_class": "clasa_marime",
    "employees": "nr_angajati",
    "county": "judet",
    "org_type": "tip_organizatie",
    # The scores and DII items, for the Romanian template's header row (ASCII, as the
    # other aliases: spreadsheets and Forms exports mangle diacritics in headers).
    "dma_strategy": "dma_strategie",
    "dma_readiness": "dma_pregatire",
    "dma_human": "dma_factor_uman",
    "dma_data": "dma_date",
    "dma_automation": "dma_automatizare",
    "dma_green": "dma_verde",
    "dma_overall": "dma_general",
    "dii_internet_staff": "dii_internet_angajati",
    "dii_fast_broadband": "dii_internet_rapid",
    "dii_ai": "dii_ia",
    "dii_cloud": "dii_servicii_cloud",
    "dii_cloud_advanced": "dii_cloud_avansat",
    "dii_erp": "dii_software_erp",
    "dii_crm": "dii_software_crm",
    "dii_social_media": "dii_retele_sociale",
    "dii_social_media_2plus": "dii_retele_sociale_2plus",
    "dii_data_analytics": "dii_analiza_datelor",
    "dii_ecommerce_1pct": "dii_comert_electronic_1pct",
    "dii_web_sales_b2c": "dii_vanzari_web_b2c",
    "pso_strategy": "pso_strategie",
    "pso_readiness": "pso_pregatire",
    "pso_human": "pso_factor_uman",
    "pso_data": "pso_date",
    "pso_interop": "pso_interoperabilitate",
    "pso_green": "pso_verde",
}
REQUIRED_HUB_COLUMNS = ("member_id", "company_name", "wave")

# The six DMA dimensions in the questionnaire's order.
DMA_DIMENSIONS: tuple[str, ...] = (
    "dma_strategy",
    "dma_readiness",
    "dma_human",
    "dma_data",
    "dma_automation",
    "dma_green",
)
DMA_OVERALL = "dma_overall"
DMA_COLUMNS: tuple[str, ...] = (*DMA_DIMENSIONS, DMA_OVERALL)

# A member's kind (spec edih-services.md §1): SMEs and public-sector organisations are
# assessed with two instruments, whose scores are never mixed.
ORG_TYPES: tuple[str, ...] = ("sme", "pso")
# The six dimensions of the PSO instrument, kept apart from the SME `dma_*` ones; a PSO's
# overall score is stored in `dma_overall` like an SME's, and told apart by `org_type`.
PSO_DIMENSIONS: tuple[str, ...] = (
    "pso_strategy",
    "pso_readiness",
    "pso_human",
    "pso_data",
    "pso_interop",
    "pso_green",
)

# Eurostat's twelve DII items of the 2023 ("version 3", odd-year) list.
DII_ITEMS: tuple[str, ...] = (
    "dii_internet_staff",
    "dii_fast_broadband",
    "dii_ai",
    "dii_cloud",
    "dii_cloud_advanced",
    "dii_erp",
    "dii_crm",
    "dii_social_media",
    "dii_social_media_2plus",
    "dii_data_analytics",
    "dii_ecommerce_1pct",
    "dii_web_sales_b2c",
)

SIZE_CLASSES: tuple[str, ...] = ("micro", "small", "medium", "large")

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "member_id",
    "company_name",
    "wave",
    "assessed_on",
    "cluster",
    "sector",
    "size_class",
    "employees",
    "county",
    "org_type",
    *DMA_COLUMNS,
    *DII_ITEMS,
    *PSO_DIMENSIONS,
)

# DMA tool export header -> hub column (matching is done on normalised headers).
DMA_EXPORT_COLUMNS: dict[str, str] = {
    "SME name": "company_name",
    "SME ID": "member_id",
    "DMA Timing": "wave",
    "DMA Score": "dma_overall",
    "Digital Business Strategy": "dma_strategy",
    "Digital Readiness": "dma_readiness",
    "Human-Centric Digitalisation": "dma_human",
    "Data Governance": "dma_data",
    "Automation & Artificial Intelligence": "dma_automation",
    "Green Digitalisation": "dma_green",
}
DMA_EXPORT_REQUIRED = ("SME ID", "SME name", "DMA Timing")

# The PSO DMA export (layout `pso-dma-export`, spec edih-services.md §2).
PSO_EXPORT_COLUMNS: dict[str, str] = {
    "PSO ID": "member_id",
    "PSO name": "company_name",
    "DMA Timing": "wave",
    "DMA Score": "dma_overall",
    "Digital Strategy and Investments": "pso_strategy",
    "Digital Readiness": "pso_readiness",
    "Human-Centric Digitalisation": "pso_human",
    "Data Management and Security": "pso_data",
    "Interoperability": "pso_interop",
    "Green Digitalisation": "pso_green",
}
PSO_EXPORT_REQUIRED = ("PSO ID", "PSO name", "DMA Timing")
# Kept as information: not stored, and not worth an "ignored column" warning.
PSO_EXPORT_INFORMATION = ("EDIH Name",)
