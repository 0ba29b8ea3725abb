"""Settings from environment variables and `.streamlit/secrets.toml`.

Every tunable of the app lives here, so pages and CLI commands never carry their own
constants. An environment variable wins over the `[dih_dash]` table of secrets.toml,
which wins over the default; a deployment can therefore keep secrets in the file and
still override one value per process.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_EUROSTAT_URL = "https://ec.europa.eu/eurostat/api/dissemination"

# Where refreshed national data is published (DIH_DASH_NATIONAL_STORE): "auto" puts it in
# the database when that is PostgreSQL (replicas on several machines share it) and in the
# data folder otherwise (a laptop, one process, works offline without any database).
NATIONAL_STORES = ("auto", "database", "folder")


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
    # The hub's own targets (customers served, services, assessments) on the services page.
    kpis_file: Path = field(default_factory=lambda: PROJECT_ROOT / "config" / "kpis.toml")
    mappings_dir: Path | None = None
    demo_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "data" / "demo")
    auto_load_demo: bool = True
    # One log line per finished script run (page, milliseconds): bench/pages.py reads them.
    log_run_times: bool = False
    # Months between a member's assessment rounds: when its next one is due.
    reassess_months: int = 12
    national_store: str = "auto"
    # How stale a replica's idea of the active national version may get: the pages ask
    # the database at most this often whether another process published a new one.
    national_poll_seconds: float = 30.0
    # The scheduled refresh (`dih-dash worker`): daily at `refresh_at` in `refresh_timezone`,
    # or every `refresh_every_hours` counted from that time; a failed attempt is retried up
    # to `refresh_retries` times, after refresh_retry_minutes x 1, 2, 4, ...
    refresh_at: dt.time = dt.time(3, 30)
    refresh_timezone: str = "Europe/Bucharest"
    refresh_every_hours: float | None = None
    refresh_retries: int = 3
    refresh_retry_minutes: float = 10.0

    @property
    def mapping_dir(self) -> Path:
        return self.mappings_dir or self.data_dir / "mappings"

    @property
    def eurostat_dir(self) -> Path:
        return self.data_dir / "eurostat"

    @property
    def national_in_database(self) -> bool:
        """Whether refreshed national data is published in the database (see NATIONAL_STORES)."""
        if self.national_store == "auto":
            return self.database_url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")
        return self.national_store == "database"

    @property
    def refresh_zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.refresh_timezone)


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


def _time_of_day(name: str, raw: str) -> dt.time:
    try:
        hours, minutes = (int(part) for part in raw.strip().split(":"))
        return dt.time(hours, minutes)
    except ValueError as exc:
        raise SettingsError(f"{name}: expected a time of day as HH:MM, got {raw!r}") from exc


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

    national_store = (get("national_store") or "auto").lower()
    if national_store not in NATIONAL_STORES:
        raise SettingsError(
            f"DIH_DASH_NATIONAL_STORE: expected one of {', '.join(NATIONAL_STORES)}, "
            f"got {national_store!r}"
        )
    every_raw = get("refresh_every_hours")

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
        kpis_file=get_path("kpis_file", PROJECT_ROOT / "config" / "kpis.toml"),
        mappings_dir=Path(m) if (m := get("mappings_dir")) else None,
        demo_dir=get_path("demo_dir", PROJECT_ROOT / "data" / "demo"),
        auto_load_demo=(get("auto_load_demo") or "1").lower() not in ("0", "false", "no"),
        log_run_times=(get("log_run_times") or "0").lower() in ("1", "true", "yes"),
        reassess_months=get_int("reassess_months", 12),
        national_store=national_store,
        national_poll_seconds=get_float("national_poll_seconds", 30.0),
        refresh_at=_time_of_day("DIH_DASH_REFRESH_AT", get("refresh_at") or "03:30"),
        refresh_timezone=get("refresh_timezone") or "Europe/Bucharest",
        refresh_every_hours=get_float("refresh_every_hours", 0.0) if every_raw else None,
        refresh_retries=get_int("refresh_retries", 3),
        refresh_retry_minutes=get_float("refresh_retry_minutes", 10.0),
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
        "DIH_DASH_REASSESS_MONTHS": settings.reassess_months,
    }
    for name, value in positive.items():
        if value <= 0:
            raise SettingsError(f"{name}: must be greater than 0, got {value}")
    if settings.national_poll_seconds < 0:
        raise SettingsError("DIH_DASH_NATIONAL_POLL_SECONDS cannot be negative")
    every = settings.refresh_every_hours
    if every is not None and not every > 0:
        raise SettingsError(f"DIH_DASH_REFRESH_EVERY_HOURS: must be greater than 0, got {every}")
    if settings.refresh_retries < 0 or not settings.refresh_retry_minutes > 0:
        raise SettingsError(
            "DIH_DASH_REFRESH_RETRIES cannot be negative and DIH_DASH_REFRESH_RETRY_MINUTES "
            "must be greater than 0"
        )
    try:
        settings.refresh_zone  # noqa: B018 - refused here rather than in the worker at 3 a.m.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(
            f"DIH_DASH_REFRESH_TIMEZONE: unknown time zone {settings.refresh_timezone!r}"
        ) from exc
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
