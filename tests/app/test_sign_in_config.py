"""A broken admin password hash setting is a configuration error on the sign-in page, said
before any attempt: never a form that answers "Wrong password" to every password."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from support.apptest import APP, texts

from dih_dash.auth import hash_password

PASSWORD = "corect-cal-baterie"
GOOD = hash_password(PASSWORD)


def sign_in_page(lang: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("app_pages/sign_in.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "ro"])
@pytest.mark.parametrize(
    ("value", "says"),
    [
        (GOOD[:-6], {"en": "is malformed", "ro": "este greșit format"}),
        ("$argon2id$garbage", {"en": "is malformed", "ro": "este greșit format"}),
        (PASSWORD, {"en": "holds plain text", "ro": "conține text simplu"}),
    ],
    ids=["cut-short", "garbage", "plain-text"],
)
def test_an_unusable_hash_shows_a_configuration_error_not_the_form(monkeypatch, lang, value, says):
    monkeypatch.setenv("DIH_DASH_ADMIN_PASSWORD_HASH", value)
    at = sign_in_page(lang)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and says[lang] in errors[0], errors
    assert "DIH_DASH_ADMIN_PASSWORD_HASH" in errors[0]
    assert "dih-dash admin hash-password" in errors[0]
    assert not at.text_input, "no password form: no attempt can be made"
    assert not at.button
    assert PASSWORD not in texts(at), "a plain-text setting is never shown back"


def test_a_good_hash_shows_the_form(monkeypatch):
    monkeypatch.setenv("DIH_DASH_ADMIN_PASSWORD_HASH", GOOD)
    at = sign_in_page("en")
    assert not at.error
    assert at.text_input(key="sign_in_password")
