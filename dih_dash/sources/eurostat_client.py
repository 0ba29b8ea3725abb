"""A small client for Eurostat's statistics API (JSON-stat 2.0 over HTTPS).

It only fetches and parses: deciding whether a response is good enough to replace the
active data is `refresh`'s job. Every failure becomes a `EurostatError` whose message is one
readable line, because the same text ends up in a terminal and on a Streamlit page.

429 and 5xx answers, dropped connections and timeouts are usually transient, so they are
retried with exponential back-off (a `Retry-After` header wins); any other 4xx means the
query itself is wrong, and retrying would only repeat Eurostat's complaint.

The timeout given applies to each socket read, so on its own it would let a server that
sends a byte now and then hold a refresh for ever, and a body of any size would be kept
in memory. The body is therefore read as a stream, against an overall deadline for the
whole answer and a cap on its size.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import socket
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions

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
# The whole answer must have arrived this many read timeouts after the request was sent
# (checked while the body is read: the headers, a few hundred bytes, come under the read
# timeout alone). It follows the timeout the user chose (`refresh --timeout`) rather than
# being a setting of its own: 4 x 30 s by default, ample for the catalogue's datasets (a few
# MB at most, filtered), while a server that trickles bytes is cut off after minutes, not
# hours.
DEADLINE_TIMEOUTS = 4
# A larger answer is refused unread. The catalogue's queries are filtered to a few MB; even a
# whole unfiltered dataset is tens of MB. json.loads needs several times the body in Python
# objects, so 200 MB (~1-2 GB parsed) is the most a refresh should ever be allowed to take.
MAX_BODY_BYTES = 200 * 1_048_576
_READ_BYTES = 64 * 1024  # the most taken from the socket at a time

Sleep = Callable[[float], None]
RetryNotice = Callable[[str], None]


class EurostatError(RuntimeError):
    """A fetch failed; str(error) is a one-line explanation for the user."""


class EurostatOfflineError(EurostatError):
    """The host could not be reached at all (no network, DNS failure, connection refused)."""


class EurostatTimeoutError(EurostatError):
    """The server did not answer within the timeout, or not completely within the deadline."""


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
        deadline: float | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if deadline is not None and deadline <= 0:
            raise ValueError("deadline must be positive")
        if max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.deadline = DEADLINE_TIMEOUTS * self.timeout if deadline is None else float(deadline)
        self.max_body_bytes = int(max_body_bytes)
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
            except _DeadlineError:
                failure = _Failure(
                    EurostatTimeoutError,
                    f"{host} did not send the whole answer within {self.deadline:g} s",
                )
            except _BodyTooLargeError as exc:
                # The same query would bring the same body: not worth a retry.
                size = "larger" if exc.declared is None else f"{_size(exc.declared)},"
                raise EurostatResponseError(
                    f"{dataset}: the answer is {size} more than the "
                    f"{_size(self.max_body_bytes)} a dataset may take; refused"
                ) from None
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
        deadline = time.monotonic() + self.deadline
        timeouts = (self._connect_timeout(), self.timeout)
        with self._session.get(url, timeout=timeouts, stream=True) as response:
            return response.status_code, response.headers, self._body(response, deadline)

    def _body(self, response: requests.Response, deadline: float) -> bytes:
        """The body, read as it arrives: `_DeadlineError` once `deadline` (a monotonic
        time) has passed, `_BodyTooLargeError` as soon as it is over the cap."""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _BodyTooLargeError(int(declared))
        raw = response.raw
        body = bytearray()
        cut_short = False  # whether the next read may wait less than the timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _DeadlineError
                cut_short = remaining < self.timeout
                _next_read_timeout(raw, min(self.timeout, remaining))
                # read1 returns what one socket read brings; read(n) would wait for all n
                # bytes, however slowly they come, before the deadline is looked at again.
                chunk = raw.read1(_READ_BYTES)
                if not chunk:
                    return bytes(body)
                body += chunk
                if len(body) > self.max_body_bytes:
                    raise _BodyTooLargeError(None)
        # Reading `raw` bypasses requests' wrapping of urllib3's errors; wrap them as it does
        # (except a read timeout, which is a timeout here too), so `fetch` sees one family.
        except urllib3.exceptions.ReadTimeoutError as exc:
            if cut_short:  # the read gave up at the deadline, not after the timeout
                raise _DeadlineError from None
            raise requests.ReadTimeout(exc) from exc
        except urllib3.exceptions.SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        except urllib3.exceptions.ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except urllib3.exceptions.DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc

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


class _DeadlineError(Exception):
    """The whole answer did not arrive within the client's deadline."""


class _BodyTooLargeError(Exception):
    """The body is over the cap: as its Content-Length says (`declared`), or as counted
    while it arrived (None: reading stopped there, so its whole size is unknown)."""

    def __init__(self, declared: int | None) -> None:
        super().__init__(declared)
        self.declared = declared


def _next_read_timeout(raw: object, seconds: float) -> None:
    """Let the next socket read wait at most `seconds`, so a read blocked near the deadline
    ends at the deadline rather than a whole read timeout later. urllib3 sets the timeout
    afresh for every request, so this does not outlive the answer.

    The socket is the connection's while it is kept alive; a connection that closes after
    the answer (HTTP/1.0, `Connection: close`) has handed it to http.client's response,
    which keeps it only in private attributes. Where neither is found, the read timeout
    alone limits how far a read may run past the deadline."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        file = getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None)
        sock = getattr(file, "_sock", None)
    if isinstance(sock, socket.socket):
        sock.settimeout(max(seconds, 0.001))


def _size(count: int) -> str:
    if count < 1_048_576:
        return f"{count:,} bytes"
    return f"{count / 1_048_576:.1f}".removesuffix(".0") + " MB"


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
