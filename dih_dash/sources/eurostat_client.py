"""A small client for Eurostat's statistics API (JSON-stat 2.0 over HTTPS).

It only fetches and parses: deciding whether a response is good enough to replace the
active data is `refresh`'s job. Every failure becomes a `EurostatError` whose message is one
readable line, because the same text ends up in a terminal and on a Streamlit page.

429 and 5xx answers, dropped connections and timeouts are usually transient, so they are
retried with exponential back-off (a `Retry-After` header wins); any other 4xx means the
query itself is wrong, and retrying would only repeat Eurostat's complaint.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests

from dih_dash.domain.catalogue import Catalogue
from dih_dash.settings import Settings
from dih_dash.sources.jsonstat import eurostat_error_message

STATISTICS_PATH = "statistics/1.0/data"
BASE_PARAMS: tuple[tuple[str, str], ...] = (("format", "JSON"), ("lang", "EN"))
# A dead host or a missing network should be noticed quickly even when the read timeout is
# long enough for a large dataset.
MAX_CONNECT_TIMEOUT = 10.0
# Never let a server's Retry-After park a refresh (or a Streamlit page) for minutes.
MAX_RETRY_AFTER = 60.0

Sleep = Callable[[float], None]
RetryNotice = Callable[[str], None]


class EurostatError(RuntimeError):
    """A fetch failed; str(error) is a one-line explanation for the user."""


class EurostatOfflineError(EurostatError):
    """The host could not be reached at all (no network, DNS failure, connection refused)."""


class EurostatTimeoutError(EurostatError):
    """The server did not answer within the timeout."""


class EurostatHTTPError(EurostatError):
    def __init__(self, message: str, status: int, eurostat_label: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.eurostat_label = eurostat_label


class EurostatResponseError(EurostatError):
    """The server answered 200 but the body is not JSON (truncated, HTML error page…)."""


@dataclass(frozen=True)
class FetchedDataset:
    dataset: str
    url: str
    payload: dict
    body_sha256: str
    body_bytes: int
    attempts: int


# --- URLs ------------------------------------------------------------------------------------


def catalogue_filters(catalogue: Catalogue, dataset: str) -> dict[str, list[str]]:
    """The query filters that fetch every catalogue series of `dataset`, and little more.

    A dimension goes into the query only when *every* series of the dataset filters on it:
    if one series left it open, restricting it for the others would cut that series' rows.
    The values are the union over the series, sorted so the URL is stable.
    """
    entries = catalogue.by_source(f"eurostat:{dataset}")
    if not entries:
        return {}
    shared = set(entries[0].filters)
    for entry in entries[1:]:
        shared &= set(entry.filters)
    return {dim: sorted({entry.filters[dim] for entry in entries}) for dim in sorted(shared)}


def dataset_url(
    base_url: str, dataset: str, filters: Mapping[str, Sequence[str]] | None = None
) -> str:
    """`{base}/statistics/1.0/data/{dataset}?format=JSON&lang=EN&dim=v&dim=v2…`."""
    params = list(BASE_PARAMS)
    for dim, codes in (filters or {}).items():
        params.extend((dim, code) for code in codes)
    query = urlencode(params)
    return f"{base_url.rstrip('/')}/{STATISTICS_PATH}/{dataset}?{query}"


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


# --- the client ------------------------------------------------------------------------------


class EurostatClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        sleep: Sleep = time.sleep,
        session: requests.Session | None = None,
        on_retry: RetryNotice | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self._sleep = sleep
        self._session = session or requests.Session()
        self._on_retry = on_retry

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        timeout: float | None = None,
        sleep: Sleep = time.sleep,
        on_retry: RetryNotice | None = None,
    ) -> EurostatClient:
        return cls(
            settings.eurostat_url,
            timeout=settings.http_timeout if timeout is None else timeout,
            retries=settings.http_retries,
            backoff=settings.http_backoff,
            sleep=sleep,
            on_retry=on_retry,
        )

    def fetch(
        self, dataset: str, filters: Mapping[str, Sequence[str]] | None = None
    ) -> FetchedDataset:
        """GET one dataset and parse its JSON body; raises EurostatError on any failure."""
        url = dataset_url(self.base_url, dataset, filters)
        host = urlsplit(url).netloc
        attempts = 1 + self.retries
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                status, headers, body = self._get(url)
            except requests.ConnectTimeout:
                failure: _Failure = _Failure(
                    EurostatOfflineError,
                    f"cannot reach {host} within {self._connect_timeout():g} s: "
                    "the machine seems offline, or the host is unreachable",
                )
            except requests.Timeout:
                failure = _Failure(
                    EurostatTimeoutError, f"{host} did not answer within {self.timeout:g} s"
                )
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                failure = _connection_failure(host, exc)
            except requests.RequestException as exc:
                raise EurostatError(f"{dataset}: request to {host} failed: {exc}") from exc
            else:
                if status == 200:
                    return self._parse(dataset, url, body, attempt)
                failure = _http_failure(status, body)
                if not is_retryable_status(status):
                    raise failure.error(dataset, attempt)
                retry_after = _retry_after(headers.get("Retry-After"))
            if attempt == attempts:
                raise failure.error(dataset, attempt)
            wait = self._backoff(attempt) if retry_after is None else retry_after
            if self._on_retry is not None:
                self._on_retry(
                    f"{dataset}: {failure.reason}; retrying in {wait:.1f} s "
                    f"(attempt {attempt + 1} of {attempts})"
                )
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _connect_timeout(self) -> float:
        return min(self.timeout, MAX_CONNECT_TIMEOUT)

    def _get(self, url: str) -> tuple[int, Mapping[str, str], bytes]:
        timeouts = (self._connect_timeout(), self.timeout)
        with self._session.get(url, timeout=timeouts) as response:
            return response.status_code, response.headers, response.content

    def _backoff(self, attempt: int) -> float:
        return self.backoff * (2 ** (attempt - 1))

    def _parse(self, dataset: str, url: str, body: bytes, attempt: int) -> FetchedDataset:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise EurostatResponseError(
                f"{dataset}: the response is not valid JSON ({len(body)} bytes; "
                f"truncated or not JSON-stat): {exc}"
            ) from exc
        message = eurostat_error_message(payload)
        if message is not None:
            raise EurostatHTTPError(
                f"{dataset}: Eurostat refused the query: {message}", 200, message
            )
        if not isinstance(payload, dict):
            raise EurostatResponseError(
                f"{dataset}: the response is JSON but not an object ({type(payload).__name__})"
            )
        return FetchedDataset(
            dataset=dataset,
            url=url,
            payload=payload,
            body_sha256=hashlib.sha256(body).hexdigest(),
            body_bytes=len(body),
            attempts=attempt,
        )


# --- failures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Failure:
    kind: type[EurostatError]
    reason: str
    status: int | None = None
    eurostat_label: str | None = None

    def error(self, dataset: str, attempt: int) -> EurostatError:
        tries = "1 try" if attempt == 1 else f"{attempt} tries"
        message = f"{dataset}: {self.reason} (after {tries})"
        if self.kind is EurostatHTTPError:
            return EurostatHTTPError(message, self.status or 0, self.eurostat_label)
        return self.kind(message)


def _causes(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(c for c in (current.__cause__, current.__context__) if c is not None)
        stack.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)


def _connection_failure(host: str, exc: requests.RequestException) -> _Failure:
    names = {type(cause).__name__ for cause in _causes(exc)}
    # urllib3 wraps DNS failures and refused connections in NewConnectionError (and
    # NameResolutionError); anything else means the server was reached and then lost.
    if names & {"NewConnectionError", "NameResolutionError", "ConnectionRefusedError", "gaierror"}:
        return _Failure(
            EurostatOfflineError,
            f"cannot reach {host}: the machine seems offline, or the host is unreachable",
        )
    return _Failure(EurostatError, f"the connection to {host} was dropped before a complete answer")


def _http_failure(status: int, body: bytes) -> _Failure:
    label = None
    # An error page that is not JSON (a proxy's HTML, say) still gets its status reported.
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        label = eurostat_error_message(json.loads(body))
    detail = f": {label}" if label else ""
    return _Failure(EurostatHTTPError, f"Eurostat answered HTTP {status}{detail}", status, label)


def _retry_after(raw: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
