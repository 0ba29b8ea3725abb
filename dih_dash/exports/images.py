"""PNG and SVG of Plotly figures with kaleido and a Chromium-family browser (Debian's
`chromium` package on the server).

Starting Chromium takes about 3 s, an export on a running browser a fraction of that, so
the browser is started on the first export and kept for the life of the process (one
per process, behind a lock), with MathJax off and plotly.js from the installed package:
nothing is fetched from the network.

Why not `kaleido.start_sync_server`: its calls wait on a queue with no timeout, and when
the browser is missing or dies at start-up its worker thread ends while the server still
reports itself running, so every later export blocks forever. Here the same kaleido
browser runs on our own event-loop thread and every call has a deadline: a missing or
dead browser gives `ImageExportError`, never a hung page, and the next export starts a
fresh browser.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping
from typing import Any, Literal

import kaleido
import plotly.graph_objects as go

ImageFormat = Literal["png", "svg"]
# The names choreographer (kaleido's browser driver) looks for, Debian's first.
BROWSER_NAMES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
START_TIMEOUT = 45.0  # seconds for Chromium to start and load the page
EXPORT_TIMEOUT = 60.0  # seconds for one image, queueing behind another export included
_logger = logging.getLogger(__name__)
HOW_TO_FIX = "install one (apt-get install chromium) or set BROWSER_PATH to its executable"


class ImageExportError(RuntimeError):
    """No image: the message says why (no browser, browser died, timeout)."""


def find_browser(env: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """The browser to use and, when there is none, a one-line reason naming every place
    looked at and how to fix it. BROWSER_PATH wins; a wrong BROWSER_PATH falls back to
    the PATH search (and the reason names both)."""
    env = os.environ if env is None else env
    tried: list[str] = []
    configured = env.get("BROWSER_PATH")
    if configured:
        if _is_executable(configured):
            return configured, ""
        tried.append(f"BROWSER_PATH={configured} (not an executable file)")
    else:
        tried.append("BROWSER_PATH (not set)")
    search_path = env.get("PATH", "")
    for name in BROWSER_NAMES:
        found = shutil.which(name, path=search_path)
        if found and _is_executable(found):
            return found, ""
    tried.append(f"{', '.join(BROWSER_NAMES)} on PATH (none found)")
    return None, f"no browser for image export: tried {'; '.join(tried)}; {HOW_TO_FIX}"


def image_export_available(env: Mapping[str, str] | None = None) -> tuple[bool, str]:
    """(True, "") when a browser is there; else (False, the reason to show the user)."""
    path, reason = find_browser(env)
    return path is not None, reason


def chart_image(
    fig: go.Figure | Mapping[str, Any],
    fmt: ImageFormat = "png",
    width: int = 1600,
    height: int = 900,
    *,
    timeout: float = EXPORT_TIMEOUT,
) -> bytes:
    """The figure as PNG or SVG bytes, `width` × `height` CSS pixels at scale 1 (16:9 by
    default, the slide format). Raises `ImageExportError` instead of hanging."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be 'png' or 'svg', got {fmt!r}")
    browser, reason = find_browser()
    if browser is None:
        raise ImageExportError(reason)
    spec = fig.to_dict() if isinstance(fig, go.Figure) else dict(fig)
    options = {"format": fmt, "width": width, "height": height, "scale": 1}
    # One export at a time: the browser has one tab, and Streamlit runs each session's
    # script on its own thread.
    if not _lock.acquire(timeout=timeout):
        raise ImageExportError(f"the image exporter stayed busy for {timeout:.0f} s")
    try:
        renderer = _renderer_for(browser, timeout)
        try:
            return renderer.render(spec, options, timeout)
        except Exception as exc:
            # Whatever went wrong, the browser may be unusable: the next call starts anew.
            _discard(graceful=False)
            raise ImageExportError(_failure(exc, browser, timeout)) from exc
    finally:
        _lock.release()


def shutdown() -> None:
    """Close the browser (at exit; tests call it to measure a cold start)."""
    # Bounded: at interpreter exit an export may still hold the lock on another thread.
    locked = _lock.acquire(timeout=10)
    try:
        _discard(graceful=locked)
    finally:
        if locked:
            _lock.release()


# --- the browser, kept per process --------------------------------------------------------------


class _Renderer:
    """A kaleido browser on a private event-loop thread; calls wait with a deadline."""

    def __init__(self, browser: str, timeout: float) -> None:
        self.browser = browser
        self._loop = asyncio.new_event_loop()
        # A start-up cut short by our deadline leaves kaleido's task with an exception
        # nobody awaits; asyncio would print it as an error. It is reported to the caller.
        self._loop.set_exception_handler(_log_loop_error)
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="dih-dash-kaleido", daemon=True
        )
        self._thread.start()
        self._kaleido: Any = None
        self._kaleido = self._call(self._create(browser, timeout), START_TIMEOUT)
        try:
            self._call(self._kaleido.open(), START_TIMEOUT)
        except BaseException:
            self.close(graceful=False)
            raise

    async def _create(self, browser: str, timeout: float) -> Any:
        # Created on the loop's own thread, where all its asyncio objects will live.
        # mathjax=False: no MathJax script at all (kaleido's default fetches it from a CDN);
        # kaleido's own per-image timeout backs up ours.
        return kaleido.Kaleido(path=browser, mathjax=False, n=1, timeout=timeout)

    def _call(self, coroutine: Any, timeout: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    def alive(self) -> bool:
        process = getattr(self._kaleido, "subprocess", None)
        return self._thread.is_alive() and (process is None or process.poll() is None)

    def render(self, spec: dict[str, Any], options: dict[str, Any], timeout: float) -> bytes:
        return self._call(self._kaleido.calc_fig(spec, opts=options), timeout)

    def close(self, *, graceful: bool) -> None:
        """Stop the browser: politely when it works, else at once (no further waiting
        on a browser that just failed or timed out)."""
        process = getattr(self._kaleido, "subprocess", None)
        try:
            if graceful and process is not None and process.poll() is None:
                self._call(self._kaleido.close(), 5)
        except Exception:
            pass
        finally:
            if process is not None and process.poll() is None:
                # choreographer's wrapper process stops Chromium on SIGTERM.
                process.terminate()
                try:
                    process.wait(2)
                except subprocess.TimeoutExpired:
                    process.kill()
            self._loop.call_soon_threadsafe(self._loop.stop)


_lock = threading.Lock()
_renderer: _Renderer | None = None
_atexit_registered = False


def _renderer_for(browser: str, timeout: float) -> _Renderer:
    """The running renderer, or a new one (first use, dead browser, other browser)."""
    global _renderer, _atexit_registered
    if _renderer is not None and (_renderer.browser != browser or not _renderer.alive()):
        _discard(graceful=False)
    if _renderer is None:
        try:
            _renderer = _Renderer(browser, timeout)
        except Exception as exc:
            raise ImageExportError(_failure(exc, browser, START_TIMEOUT, starting=True)) from exc
        if not _atexit_registered:
            atexit.register(shutdown)
            _atexit_registered = True
    return _renderer


def _discard(*, graceful: bool) -> None:
    global _renderer
    renderer, _renderer = _renderer, None
    if renderer is not None:
        renderer.close(graceful=graceful)


def _failure(exc: BaseException, browser: str, timeout: float, *, starting: bool = False) -> str:
    if isinstance(exc, TimeoutError):
        what = "start" if starting else "draw the image"
        return f"the browser {browser} did not {what} within {timeout:.0f} s"
    # Some choreographer errors carry several sentences as separate arguments.
    text = " ".join(str(a) for a in exc.args) if exc.args else str(exc)
    detail = " ".join(text.split()) or type(exc).__name__
    action = "could not start" if starting else "failed"
    return f"the browser {browser} {action}: {detail[:300]}"


def _log_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    _logger.debug("kaleido event loop: %s", context.get("exception") or context.get("message"))


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
