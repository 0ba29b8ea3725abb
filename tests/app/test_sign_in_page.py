"""The sign-in page: a password (its hash in the environment) with a delay after a wrong
one, and Streamlit's OIDC login instead whenever an `[auth]` section is configured."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, texts

from dih_dash.auth import hash_password

PASSWORD = "corect-cal-baterie"
AUTH_SECTION = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-real-secret",
    "client_id": "dih-dash",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://id.example.org/.well-known/openid-configuration",
}


def sign_in_page(**secrets: object) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    for key, value in secrets.items():
        at.secrets[key] = value
    at.run()
    at.switch_page("app_pages/sign_in.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.fixture
def password_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIH_DASH_ADMIN_PASSWORD_HASH", hash_password(PASSWORD))


def test_password_sign_in_wrong_then_right(password_hash):
    at = sign_in_page()
    assert not [b for b in at.button if b.key == "sign_in_oidc"], "no [auth]: no OIDC button"
    at.text_input(key="sign_in_name").input("Ana")
    at.text_input(key="sign_in_password").input("greșit")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error), [e.value for e in at.error]
    assert "admin_name" not in at.session_state
    at.text_input(key="sign_in_name").input("Ana")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button[0].click().run()
    assert at.session_state["admin_name"] == "Ana"
    assert "Signed in as Ana" in texts(at)


def test_an_auth_section_switches_to_oidc_and_ignores_the_password(password_hash):
    at = sign_in_page(auth=AUTH_SECTION)
    assert [b for b in at.button if b.key == "sign_in_oidc"], "the provider's button"
    assert not at.text_input, "no password form beside OIDC"
    # No DIH_DASH_ADMIN_EMAILS: nobody administers, and the page says so.
    assert any("DIH_DASH_ADMIN_EMAILS" in w.value for w in at.warning), [
        w.value for w in at.warning
    ]


def test_under_oidc_a_session_flag_is_not_an_admin(password_hash):
    """With OIDC only the provider's identity counts: the password path's session flag,
    however it got there, opens no hub-staff page."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.secrets["auth"] = AUTH_SECTION
    at.session_state["admin_name"] = "Mallory"
    at.run()
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception
    assert "This page is for hub staff. Sign in first." in texts(at)
    assert not at.get("file_uploader")
