"""Sign-in for real: the app behind a real OpenID provider (npm's oidc-provider on
127.0.0.1, started here), driven in Chromium through the provider's own login page.

A listed e-mail becomes an admin, an unlisted one is signed in but not an admin, and
signing out ends the session at the provider too (the next sign-in asks for a login again).
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from conftest import ROOT, _require_browser
from support.oidc.launch import Provider, running_provider
from support.processes import free_port, stop, streamlit_run, wait_healthy

pytestmark = pytest.mark.browser

ADMIN = "admin@hub.example"
SOMEONE = "someone@else.example"
STAFF_PAGES = ("Upload surveys", "Member profile")
TIMEOUT = 60_000


@dataclass(frozen=True)
class OidcApp:
    base: str
    provider: Provider


def _secrets_file(folder: Path, redirect_uri: str, provider: Provider) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "{redirect_uri}"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{provider.client_id}"\n'
        f'client_secret = "{provider.client_secret}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n',
        encoding="utf-8",
    )
    return path


def _start_app(folder: Path, port: int, secrets_file: Path, log: IO[bytes]) -> subprocess.Popen:
    env = {
        **os.environ,
        "DIH_DASH_DATA_DIR": str(folder),
        "DIH_DASH_DATABASE_URL": f"sqlite:///{folder / 'store.sqlite'}",
        "DIH_DASH_AUTO_LOAD_DEMO": "1",
        "DIH_DASH_ADMIN_EMAILS": ADMIN,
        # Authlib fetches the provider's metadata, keys and tokens: never through a proxy.
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }
    env.pop("DIH_DASH_ADMIN_PASSWORD_HASH", None)
    return subprocess.Popen(
        # Only this secrets file: never a developer's .streamlit/secrets.toml.
        streamlit_run(ROOT / "app.py", port, "--secrets.files", str(secrets_file)),
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcApp]:
    _require_browser()
    folder = tmp_path_factory.mktemp("oidc-app")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    callback = f"{base}/oauth2callback"
    with (
        running_provider(callback, log=folder / "provider.log") as provider,
        open(folder / "app.log", "wb") as log,
    ):
        process = _start_app(folder, port, _secrets_file(folder, callback, provider), log)
        try:
            app_log = folder / "app.log"
            wait_healthy(process, base, lambda: app_log.read_text(errors="replace")[-2000:])
            yield OidcApp(base, provider)
        finally:
            stop(process)


def _app_text(web) -> str:
    web.wait_for_selector("[data-testid=stApp]", timeout=TIMEOUT)
    # The script has finished when Streamlit no longer shows its running indicator.
    web.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=TIMEOUT
    )
    return web.locator("[data-testid=stApp]").inner_text()


def _open(web, app: OidcApp, path: str, expect: str) -> str:
    web.goto(f"{app.base}/{path}?lang=en")
    web.get_by_text(expect).first.wait_for(timeout=TIMEOUT)
    return _app_text(web)


def _listed_pages(web) -> list[str]:
    # A link's text starts with its icon's name on a line of its own.
    links = web.locator("[data-testid=stSidebarNav] a").all_inner_texts()
    return [text.strip().splitlines()[-1].strip() for text in links]


def _provider_login(web, app: OidcApp, login: str) -> None:
    """From the sign-in page: the app's button, then the provider's own login form."""
    web.get_by_role("button", name="Sign in with your organisation's account").click()
    web.wait_for_url(f"{app.provider.issuer}/interaction/**", timeout=TIMEOUT)
    assert web.title() == "Sign-in", "the provider's login page"
    web.locator("input[name=login]").fill(login)
    web.locator("input[name=password]").fill("any password the dev form accepts")
    web.get_by_role("button", name="Sign-in").click()
    web.wait_for_url(f"{app.base}/**", timeout=TIMEOUT)


def _provider_logout(web, app: OidcApp) -> None:
    """From the sign-in page: the app's sign-out, then the provider's confirmation."""
    web.get_by_role("button", name="Sign out").click()
    web.wait_for_url(f"{app.provider.issuer}/session/end**", timeout=TIMEOUT)
    web.get_by_role("button", name="Yes, sign me out").click()
    web.wait_for_url(f"{app.base}/**", timeout=TIMEOUT)


def test_listed_email_administers_unlisted_does_not_and_sign_out_ends_both(oidc_app, web):
    app = oidc_app
    # The provider's pages load a web font from Google; the test network has no way out.
    web.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
            else route.abort()
        ),
    )

    # The public: no staff page listed, and the upload page by its address refuses.
    _open(web, app, "upload", "This page is for hub staff")
    assert web.locator("[data-testid=stFileUploader]").count() == 0
    assert not set(STAFF_PAGES) & set(_listed_pages(web)), _listed_pages(web)

    # A listed address: the provider's login, then an admin in the app.
    _open(web, app, "sign-in", "Sign in with your organisation's account")
    _provider_login(web, app, ADMIN)
    shown = _open(web, app, "sign-in", "Signed in as")
    assert f"Signed in as {ADMIN}" in shown, shown
    assert set(STAFF_PAGES) <= set(_listed_pages(web)), _listed_pages(web)
    web.get_by_role("link", name="Upload surveys").click()
    web.locator("[data-testid=stFileUploader]").wait_for(timeout=TIMEOUT)
    web.get_by_role("link", name="Member profile").click()
    web.get_by_role("heading", name="Weakest dimensions").wait_for(timeout=TIMEOUT)

    # Signing out goes through the provider's end of session and back.
    web.get_by_role("link", name="Signed in · sign out").click()
    web.get_by_text(f"Signed in as {ADMIN}").wait_for(timeout=TIMEOUT)
    _provider_logout(web, app)
    _open(web, app, "upload", "This page is for hub staff")
    assert web.locator("[data-testid=stFileUploader]").count() == 0
    assert not set(STAFF_PAGES) & set(_listed_pages(web)), _listed_pages(web)

    # The provider's session ended too: signing in again asks for a login (else the provider
    # would send the admin straight back), and an unlisted address is no admin.
    _open(web, app, "sign-in", "Sign in with your organisation's account")
    _provider_login(web, app, SOMEONE)
    shown = _open(web, app, "sign-in", "may not administer")
    assert f"{SOMEONE} may not administer this dashboard" in shown, shown
    assert f"Signed in as {SOMEONE}" not in shown
    assert not set(STAFF_PAGES) & set(_listed_pages(web)), _listed_pages(web)
    _open(web, app, "upload", "This page is for hub staff")
    assert web.locator("[data-testid=stFileUploader]").count() == 0
    shown = _open(web, app, "member-profile", "This page is for hub staff")
    assert "Weakest dimensions" not in shown

    # The unlisted account can sign out as well, and then the sign-in button is back.
    _open(web, app, "sign-in", "may not administer")
    _provider_logout(web, app)
    shown = _open(web, app, "sign-in", "Sign in with your organisation's account")
    assert "may not administer" not in shown
