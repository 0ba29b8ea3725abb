"""Admin sign-in (password with a delay after failed attempts, or the configured OIDC
provider) and sign-out."""

from __future__ import annotations

import time

import streamlit as st

from app_pages.kit import access, context
from dih_dash.auth import PasswordHashError, password_hash_problem, verify_password

tr = context.translator()
config = context.settings()
mode = access.auth_mode()

st.title(tr("auth.title"))


def sign_out_button() -> None:
    if not st.button(tr("auth.sign_out"), key="sign_out"):
        return
    st.session_state.pop(access.ADMIN_KEY, None)
    if mode == "oidc":
        # st.logout() sends the browser to /auth/logout, which deletes the identity cookie
        # and ends the provider's session; a rerun here would drop that redirect, leaving the
        # page looking signed out while the cookie signs the next visit straight back in.
        st.logout()
        st.stop()
    st.rerun()


if access.is_admin():
    st.success(tr("auth.signed_in_as", name=access.actor().name), icon=":material/verified_user:")
    sign_out_button()
    st.stop()

st.caption(tr("auth.intro"))

if mode == "none":
    st.info(tr("auth.not_configured"), icon=":material/key_off:")
    st.code("dih-dash admin hash-password", language="bash")
    st.stop()

if mode == "oidc":
    if not config.admin_emails:
        st.warning(tr("auth.no_admin_emails"), icon=":material/group_off:")
    if st.user.get("is_logged_in", False):
        # Signed in with the provider but not listed: signing in again would only come back
        # as the same account, so what helps is signing out (then in with another account).
        st.warning(tr("auth.not_an_admin", email=st.user.get("email", "")))
        sign_out_button()
        st.stop()
    if st.button(tr("auth.sign_in_oidc"), key="sign_in_oidc", type="primary"):
        st.login()
    st.stop()

stored_hash = config.admin_password_hash or ""
# Checked before the form is shown: with a hash no password can match, every attempt
# would say "wrong password" and the admin would doubt the password, not the setting.
problem = password_hash_problem(stored_hash)
if problem is not None:
    key = "auth.plain_text_setting" if problem == "plain_text" else "auth.bad_hash_setting"
    st.error(tr(key), icon=":material/gpp_bad:")
    st.code("dih-dash admin hash-password", language="bash")
    st.stop()

client = access.login_client()
throttle = access.login_throttle()
with st.form("sign_in_form", clear_on_submit=True):
    name = st.text_input(tr("auth.name"), key="sign_in_name", help=tr("auth.name_help"))
    password = st.text_input(tr("auth.password"), type="password", key="sign_in_password")
    submitted = st.form_submit_button(tr("auth.sign_in"), type="primary")

if submitted:
    wait = throttle.wait_seconds(client)
    if wait > 0:
        st.error(tr("auth.wait", seconds=int(wait) + 1), icon=":material/timer:")
        st.stop()
    try:
        ok = verify_password(stored_hash, password)
    except PasswordHashError:
        st.error(tr("auth.bad_hash_setting"))
        st.stop()
    if ok:
        throttle.succeeded(client)
        st.session_state[access.ADMIN_KEY] = name.strip() or "admin"
        st.rerun()
    delay = throttle.failed(client)
    # A guess costs real time, not only a message; many guesses from anywhere slow every
    # attempt a little more, without locking the real admin out.
    time.sleep(min(delay, 2.0) + throttle.global_slowdown())
    st.error(tr("auth.wrong_password", seconds=int(delay)), icon=":material/lock:")
