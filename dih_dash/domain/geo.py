"""Member states and the EU aggregate, with names in both interface languages.

Eurostat geo codes throughout (`EL` for Greece); `EU27_2020` is the EU average, never
`EU28` or `EA`. The DESI tool writes the aggregate as `EU`; `normalise_geo` maps it.
"""

from __future__ import annotations

EU_AGGREGATE = "EU27_2020"
HOME = "RO"

# Eurostat's protocol order (alphabetical by the country's own-language name).
EU27: tuple[str, ...] = (
    "BE", "BG", "CZ", "DK", "DE", "EE", "IE", "EL", "ES", "FR", "HR", "IT", "CY", "LV",
    "LT", "LU", "HU", "MT", "NL", "AT", "PL", "PT", "RO", "SI", "SK", "FI", "SE",
)  # fmt: skip

_NAMES: dict[str, tuple[str, str]] = {
    "BE": ("Belgium", "Belgia"),
    "BG": ("Bulgaria", "Bulgaria"),
    "CZ": ("Czechia", "Cehia"),
    "DK": ("Denmark", "Danemarca"),
    "DE": ("Germany", "Germania"),
    "EE": ("Estonia", "Estonia"),
    "IE": ("Ireland", "Irlanda"),
    "EL": ("Greece", "Grecia"),
    "ES": ("Spain", "Spania"),
    "FR": ("France", "Franța"),
    "HR": ("Croatia", "Croația"),
    "IT": ("Italy", "Italia"),
    "CY": ("Cyprus", "Cipru"),
    "LV": ("Latvia", "Letonia"),
    "LT": ("Lithuania", "Lituania"),
    "LU": ("Luxembourg", "Luxemburg"),
    "HU": ("Hungary", "Ungaria"),
    "MT": ("Malta", "Malta"),
    "NL": ("Netherlands", "Țările de Jos"),
    "AT": ("Austria", "Austria"),
    "PL": ("Poland", "Polonia"),
    "PT": ("Portugal", "Portugalia"),
    "RO": ("Romania", "România"),
    "SI": ("Slovenia", "Slovenia"),
    "SK": ("Slovakia", "Slovacia"),
    "FI": ("Finland", "Finlanda"),
    "SE": ("Sweden", "Suedia"),
    EU_AGGREGATE: ("EU average (EU-27)", "Media UE (UE-27)"),
}

_ALIASES = {"EU": EU_AGGREGATE, "GR": "EL", "EU27": EU_AGGREGATE}


def normalise_geo(code: str) -> str:
    code = code.strip().upper()
    return _ALIASES.get(code, code)


def geo_name(code: str, lang: str) -> str:
    names = _NAMES.get(code)
    if names is None:
        return code
    return names[1] if lang == "ro" else names[0]


def is_reported_geo(code: str) -> bool:
    """True for the 27 member states and the EU aggregate, the only geos the app keeps."""
    return code in _NAMES
