"""The sign-in page: a password (its hash in the environment) with a delay after a wrong
one, and Streamlit's OIDC login instead whenever an `[auth]` section is configured."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, texts

from dih_dash.auth import hash_password, oidc_admin

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


# --- OIDC: who administers, and signing out -----------------------------------------------------

ADMIN_EMAIL = "admin@hub.example"


@pytest.fixture
def admin_emails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIH_DASH_ADMIN_EMAILS", ADMIN_EMAIL)


def oidc_page(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = "en"
    at.secrets["auth"] = AUTH_SECTION
    at.user = user
    at.run()
    at.switch_page("app_pages/sign_in.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button}


def test_a_listed_address_is_signed_in_as_admin_and_can_sign_out(admin_emails):
    at = oidc_page({"is_logged_in": True, "email": ADMIN_EMAIL, "email_verified": True})
    assert f"Signed in as {ADMIN_EMAIL}" in texts(at)
    assert button_keys(at) >= {"sign_out"}
    assert "sign_in_oidc" not in button_keys(at)
    at.button(key="sign_out").click().run()
    assert not at.exception
    # st.logout() signed the session out; the page offers the provider's sign-in again.
    assert at.user == {"is_logged_in": False}
    at.run()
    assert "sign_in_oidc" in button_keys(at)


def test_an_unlisted_address_is_told_so_and_can_sign_out_not_in_again(admin_emails):
    at = oidc_page({"is_logged_in": True, "email": "someone@else.example", "email_verified": True})
    shown = texts(at)
    assert "someone@else.example may not administer this dashboard" in shown
    assert "Signed in as" not in shown
    # Signing in again would return as the same account: the way on is signing out.
    assert "sign_out" in button_keys(at)
    assert "sign_in_oidc" not in button_keys(at)
    at.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}


@pytest.mark.parametrize(
    ("user", "admin"),
    [
        ({"is_logged_in": True, "email": ADMIN_EMAIL, "email_verified": True}, True),
        ({"is_logged_in": True, "email": " Admin@Hub.Example ", "email_verified": True}, True),
        # Microsoft Entra ID sends no email_verified claim.
        ({"is_logged_in": True, "email": ADMIN_EMAIL}, True),
        ({"is_logged_in": True, "email": ADMIN_EMAIL, "email_verified": False}, False),
        ({"is_logged_in": True, "email": ADMIN_EMAIL, "email_verified": "false"}, False),
        ({"is_logged_in": True, "email": "someone@else.example", "email_verified": True}, False),
        ({"is_logged_in": True, "email": "admin@hub.example.evil", "email_verified": True}, False),
        ({"is_logged_in": True, "email": ""}, False),
        ({"is_logged_in": True}, False),
        ({"is_logged_in": False, "email": ADMIN_EMAIL, "email_verified": True}, False),
        ({"email": ADMIN_EMAIL, "email_verified": True}, False),
    ],
)
def test_who_administers_under_oidc(user, admin):
    assert oidc_admin(user, (ADMIN_EMAIL,)) is admin


def test_nobody_administers_without_a_list():
    assert not oidc_admin({"is_logged_in": True, "email": ADMIN_EMAIL}, ())
