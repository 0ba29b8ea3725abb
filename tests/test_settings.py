from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dih_dash.settings import SettingsError, load_settings


def test_environment_wins_over_secrets():
    settings = load_settings(
        env={"DIH_DASH_MIN_GROUP_SIZE": "7"}, secrets={"min_group_size": 3, "default_lang": "en"}
    )
    assert settings.min_group_size == 7 and settings.default_lang == "en"


def test_defaults():
    settings = load_settings(env={"DIH_DASH_DATA_DIR": "/tmp/x"}, secrets={})
    assert settings.data_dir == Path("/tmp/x")
    assert settings.database_url == "sqlite:////tmp/x/dih-dash.sqlite"
    assert settings.dma_band_bounds == (25.0, 50.0, 75.0) and settings.dii_band_bounds == (3, 6, 9)
    assert settings.default_peers == ("BG", "HU", "PL")
    assert settings.log_run_times is False


def test_refresh_and_national_store_defaults():
    settings = load_settings(env={}, secrets={})
    assert settings.refresh_at == dt.time(3, 30)
    assert settings.refresh_timezone == "Europe/Bucharest"
    assert settings.refresh_every_hours is None
    assert (settings.refresh_retries, settings.refresh_retry_minutes) == (3, 10.0)
    assert settings.national_poll_seconds == 30.0
    # A laptop (SQLite) keeps national data in its data folder; PostgreSQL shares it.
    assert not settings.national_in_database
    for url in ("postgresql://h/db", "postgresql+psycopg://h/db", "postgres://h/db"):
        assert load_settings(env={"DIH_DASH_DATABASE_URL": url}, secrets={}).national_in_database
    forced = load_settings(env={"DIH_DASH_NATIONAL_STORE": "database"}, secrets={})
    assert forced.national_in_database
    kept = {"DIH_DASH_DATABASE_URL": "postgresql://h/db", "DIH_DASH_NATIONAL_STORE": "folder"}
    assert not load_settings(env=kept, secrets={}).national_in_database


def test_refresh_schedule_settings_are_read():
    settings = load_settings(
        env={"DIH_DASH_REFRESH_AT": "22:05", "DIH_DASH_REFRESH_EVERY_HOURS": "6"},
        secrets={"refresh_timezone": "UTC", "national_poll_seconds": 5},
    )
    assert settings.refresh_at == dt.time(22, 5) and settings.refresh_every_hours == 6.0
    assert str(settings.refresh_zone) == "UTC" and settings.national_poll_seconds == 5.0


def test_run_time_logging_is_opt_in():
    assert load_settings(env={"DIH_DASH_LOG_RUN_TIMES": "1"}, secrets={}).log_run_times
    assert not load_settings(env={"DIH_DASH_LOG_RUN_TIMES": "0"}, secrets={}).log_run_times


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DIH_DASH_MIN_GROUP_SIZE", "0", "greater than 0"),
        ("DIH_DASH_MAX_ROWS", "-1", "greater than 0"),
        ("DIH_DASH_MIN_GROUP_SIZE", "five", "whole number"),
        ("DIH_DASH_DMA_BANDS", "25,50", "3 increasing numbers"),
        ("DIH_DASH_DMA_BANDS", "50,25,75", "increasing"),
        ("DIH_DASH_DMA_BANDS", "25,50,150", "between 0 and 100"),
        ("DIH_DASH_DII_BANDS", "3,6,12", "between 0 and 11"),
        ("DIH_DASH_DEFAULT_LANG", "de", "'ro' or 'en'"),
        ("DIH_DASH_NATIONAL_STORE", "cloud", "auto, database, folder"),
        ("DIH_DASH_NATIONAL_POLL_SECONDS", "-1", "cannot be negative"),
        ("DIH_DASH_REFRESH_AT", "3.30", "HH:MM"),
        ("DIH_DASH_REFRESH_AT", "25:00", "HH:MM"),
        ("DIH_DASH_REFRESH_TIMEZONE", "Europe/Cluj", "unknown time zone"),
        ("DIH_DASH_REFRESH_EVERY_HOURS", "0", "greater than 0"),
        ("DIH_DASH_REFRESH_RETRIES", "-1", "cannot be negative"),
        ("DIH_DASH_REFRESH_RETRY_MINUTES", "0", "greater than 0"),
    ],
)
def test_unusable_values_are_refused_with_the_variable_named(name, value, message):
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(env={name: value}, secrets={})
    assert name in str(error.value)
