"""Settings from environment variables and `.streamlit/secrets.toml`.

Every tunable of the app lives here, so pages and CLI commands never carry their own
constants. An environment variable wins over the `[dih_dash]` table of secrets.toml,
which wins over the default; a deployment can therefore keep secrets in the file and
still override one value per process.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_EUROSTAT_URL = "https://ec.europa.eu/eurostat/api/dissemination"


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    snapshot_dir: Path
    eurostat_url: str
    database_url: str
    http_timeout: float = 30.0
    http_retries: int = 3
    http_backoff: float = 1.0
    max_upload_mb: int = 50
    max_rows: int = 1_000_000
    min_group_size: int = 5
    # Upper bounds of the DMA bands Basic / Average / Moderately advanced; the last band
    # runs to 100. Only "Basic 0-25" is confirmed by the EDIH network.
    dma_band_bounds: tuple[float, float, float] = (25.0, 50.0, 75.0)
    # Upper bounds (item counts) of the DII bands very low / low / high (Eurostat).
    dii_band_bounds: tuple[int, int, int] = (3, 6, 9)
    default_lang: str = "ro"
    default_peers: tuple[str, ...] = ("BG", "HU", "PL")
    admin_password_hash: str | None = None
    # With OIDC sign-in ([auth] in secrets.toml): the addresses that may administer; empty =
    # nobody (anyone can hold an account with the provider, so no list, no admin).
    admin_emails: tuple[str, ...] = ()
    services_file: Path = field(default_factory=lambda: PROJECT_ROOT / "config" / "services.toml")
    slides_file: Path = field(default_factory=lambda: PROJECT_ROOT / "config" / "slides.toml")
    mappings_dir: Path | None = None
    demo_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data" / "demo")
    auto_load_demo: bool = True
    # One log line per finished script run (page, milliseconds): bench/pages.py reads them.
    log_run_times: bool = False

    @property
    def mapping_dir(self) -> Path:
        return self.mappings_dir or self.data_dir / "mappings"

    @property
    def eurostat_dir(self) -> Path:
        return self.data_dir / "eurostat"


def _read_secrets(paths: list[Path]) -> dict[str, object]:
    for path in paths:
        if path.is_file():
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            table = data.get("dih_dash", {})
            if isinstance(table, dict):
                return {str(k).lower(): v for k, v in table.items()}
    return {}


def secrets_paths() -> list[Path]:
    return [
        Path.cwd() / ".streamlit" / "secrets.toml",
        PROJECT_ROOT / ".streamlit" / "secrets.toml",
    ]


def _floats(name: str, raw: str, count: int) -> tuple[float, ...]:
    try:
        values = tuple(float(part) for part in str(raw).split(","))
    except ValueError as exc:
        raise SettingsError(
            f"{name}: expected {count} numbers separated by commas, got {raw!r}"
        ) from exc
    if len(values) != count or list(values) != sorted(values):
        raise SettingsError(f"{name}: expected {count} increasing numbers, got {raw!r}")
    return values


def load_settings(
    env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None
) -> Settings:
    env = os.environ if env is None else env
    secrets = _read_secrets(secrets_paths()) if secrets is None else secrets

    def get(key: str) -> str | None:
        env_key = f"DIH_DASH_{key.upper()}"
        if env.get(env_key) not in (None, ""):
            return env[env_key]
        value = secrets.get(key.lower())
        return None if value is None else str(value)

    def get_int(key: str, default: int) -> int:
        raw = get(key)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError as exc:
            raise SettingsError(
                f"DIH_DASH_{key.upper()}: expected a whole number, got {raw!r}"
            ) from exc

    def get_float(key: str, default: float) -> float:
        raw = get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError as exc:
            raise SettingsError(f"DIH_DASH_{key.upper()}: expected a number, got {raw!r}") from exc

    data_dir = Path(get("data_dir") or PROJECT_ROOT / "data").expanduser()
    snapshot_dir = Path(get("snapshot_dir") or PROJECT_ROOT / "data" / "snapshot").expanduser()
    database_url = get("database_url") or f"sqlite:///{data_dir / 'dih-dash.sqlite'}"

    dma_raw = get("dma_bands")
    dma = _floats("DIH_DASH_DMA_BANDS", dma_raw, 3) if dma_raw else (25.0, 50.0, 75.0)
    dii_raw = get("dii_bands")
    dii = tuple(int(v) for v in _floats("DIH_DASH_DII_BANDS", dii_raw, 3)) if dii_raw else (3, 6, 9)

    lang = (get("default_lang") or "ro").lower()
    if lang not in ("ro", "en"):
        raise SettingsError(f"DIH_DASH_DEFAULT_LANG: expected 'ro' or 'en', got {lang!r}")
    peers = tuple(
        p.strip().upper() for p in (get("default_peers") or "BG,HU,PL").split(",") if p.strip()
    )

    def get_path(key: str, default: Path) -> Path:
        raw = get(key)
        return Path(raw).expanduser() if raw else default

    settings = Settings(
        data_dir=data_dir,
        snapshot_dir=snapshot_dir,
        eurostat_url=(get("eurostat_url") or DEFAULT_EUROSTAT_URL).rstrip("/"),
        database_url=database_url,
        http_timeout=get_float("http_timeout", 30.0),
        http_retries=get_int("http_retries", 3),
        http_backoff=get_float("http_backoff", 1.0),
        max_upload_mb=get_int("max_upload_mb", 50),
        max_rows=get_int("max_rows", 1_000_000),
        min_group_size=get_int("min_group_size", 5),
        dma_band_bounds=dma,  # type: ignore[arg-type]
        dii_band_bounds=dii,  # type: ignore[arg-type]
        default_lang=lang,
        default_peers=peers,
        admin_password_hash=get("admin_password_hash"),
        admin_emails=tuple(
            e.strip().lower() for e in (get("admin_emails") or "").split(",") if e.strip()
        ),
        services_file=get_path("services_file", PROJECT_ROOT / "config" / "services.toml"),
        slides_file=get_path("slides_file", PROJECT_ROOT / "config" / "slides.toml"),
        mappings_dir=Path(m) if (m := get("mappings_dir")) else None,
        demo_dir=get_path("demo_dir", PROJECT_ROOT / "data" / "demo"),
        auto_load_demo=(get("auto_load_demo") or "1").lower() not in ("0", "false", "no"),
        log_run_times=(get("log_run_times") or "0").lower() in ("1", "true", "yes"),
    )
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    """Refuse values that would fail later, far from their cause (a page error on every
    public view for a minimum group of 0)."""
    positive = {
        "DIH_DASH_MIN_GROUP_SIZE": settings.min_group_size,
        "DIH_DASH_MAX_ROWS": settings.max_rows,
        "DIH_DASH_MAX_UPLOAD_MB": settings.max_upload_mb,
        "DIH_DASH_HTTP_TIMEOUT": settings.http_timeout,
    }
    for name, value in positive.items():
        if value <= 0:
            raise SettingsError(f"{name}: must be greater than 0, got {value}")
    if settings.http_retries < 0 or settings.http_backoff < 0:
        raise SettingsError("DIH_DASH_HTTP_RETRIES and DIH_DASH_HTTP_BACKOFF cannot be negative")
    if not all(0 < bound < 100 for bound in settings.dma_band_bounds):
        raise SettingsError(
            f"DIH_DASH_DMA_BANDS: bounds must lie between 0 and 100, got {settings.dma_band_bounds}"
        )
    if not all(0 <= bound < 12 for bound in settings.dii_band_bounds):
        raise SettingsError(
            f"DIH_DASH_DII_BANDS: bounds must lie between 0 and 11, got {settings.dii_band_bounds}"
        )
