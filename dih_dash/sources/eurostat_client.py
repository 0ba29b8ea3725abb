"""A small client for Eurostat's statistics API (JSON-stat 2.0 over HTTPS).

It only fetches and parses: deciding whether a response is good enough to replace the
active data is `refresh`'s job. Every failure becomes a `EurostatError` whose message is one
readable line, because the same text ends up in a terminal and on a Streamlit page.

429 and 5xx answers, dropped connections and timeouts are usually transient, so they are
retried with exponential back-off (a `Retry-After` header wins); any other 4xx means the
query itself is wrong, and retrying would only repeat Eurostat's complaint.

The timeout given applies to each socket read, so on its own it would let a server that
sends a byte now and then hold a refresh for ever, and a body of any size would be kept
in memory. The body is therefore read as a stream, against a deadline for the whole answer
and a cap on its size. A client may also be given a `budget`: the seconds that all its
attempts, of every dataset, and the waits between them may take together, so a refresh of
several datasets ends on time however the server behaves.

Servers and CDNs compress what they send (requests asks them to). The client reads the
socket itself, so it also decodes: only the encodings it advertises (gzip and deflate),
incrementally, with the size cap counted on the decoded bytes, so a small compressed body
that would unpack to gigabytes is refused after the cap, not after the memory is gone.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
import urllib3.poolmanager
import urllib3.response

from dih_dash.domain.catalogue import Catalogue
from dih_dash.settings import Settings
from dih_dash.sources.jsonstat import (
    JsonNestingError,
    JsonStatError,
    eurostat_error_message,
    parse_json,
)

STATISTICS_PATH = "statistics/1.0/data"
BASE_PARAMS: tuple[tuple[str, str], ...] = (("format", "JSON"), ("lang", "EN"))
# A dead host or a missing network should be noticed quickly even when the read timeout is
# long enough for a large dataset.
MAX_CONNECT_TIMEOUT = 10.0
# Never let a server's Retry-After park a refresh (or a Streamlit page) for minutes.
MAX_RETRY_AFTER = 60.0
# The whole answer must have arrived this many read timeouts after the request was sent
# (checked while the body is read: the headers, a few hundred bytes, come under the read
# timeout alone). It follows the read timeout rather than being a setting of its own:
# 4 x 30 s by default, ample for the catalogue's datasets (a few MB at most, filtered),
# while a server that trickles bytes is cut off after minutes, not hours. A budget, when
# shorter, cuts it shorter still.
DEADLINE_TIMEOUTS = 4
# A larger answer is refused unread. The catalogue's queries are filtered to a few MB; even a
# whole unfiltered dataset is tens of MB. json.loads needs several times the body in Python
# objects, so 200 MB (~1-2 GB parsed) is the most a refresh should ever be allowed to take.
MAX_BODY_BYTES = 200 * 1_048_576
# Without a budget of its own, a client built from the settings gives all its fetches this
# many read timeouts together: 5 minutes by default, where the retries alone could take
# 4 tries x 4 read timeouts per dataset.
BUDGET_TIMEOUTS = 10
# Only what `_Decoder` decodes may be advertised: requests would otherwise add br or zstd
# as soon as their packages are installed, and the client would get bodies it cannot read.
ACCEPT_ENCODING = "gzip, deflate"
# Content-Encoding lists the codings in the order they were applied; more than a few
# stacked is no real server's answer.
MAX_CODINGS = 3
_READ_BYTES = 64 * 1024  # the most taken from the socket at a time
# A timeout that ends this close to the budget's end was cut short by it.
_BUDGET_SLACK = 0.05

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
        budget: float | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if deadline is not None and deadline <= 0:
            raise ValueError("deadline must be positive")
        if budget is not None and budget <= 0:
            raise ValueError("budget must be positive")
        if max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = float(timeout)
        self.deadline = DEADLINE_TIMEOUTS * self.timeout if deadline is None else float(deadline)
        self.max_body_bytes = int(max_body_bytes)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        # Seconds for every fetch of this client together, counted from the first fetch
        # (None: no limit beyond each attempt's deadline).
        self.budget = None if budget is None else float(budget)
        self._budget_ends: float | None = None
        self._sleep = sleep
        if session is None:
            session = requests.Session()
            # Only a session of its own: the headers' deadline needs its connection class.
            session.mount("http://", _WatchedAdapter())
            session.mount("https://", _WatchedAdapter())
        self._session = session
        self._on_retry = on_retry

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        timeout: float | None = None,
        sleep: Sleep = time.sleep,
        on_retry: RetryNotice | None = None,
        budget: float | None = None,
    ) -> EurostatClient:
        """A client as the settings say; `timeout` overrides the read timeout, `budget`
        the time all fetches may take together (default BUDGET_TIMEOUTS read timeouts)."""
        read_timeout = settings.http_timeout if timeout is None else timeout
        return cls(
            settings.eurostat_url,
            timeout=read_timeout,
            retries=settings.http_retries,
            backoff=settings.http_backoff,
            sleep=sleep,
            on_retry=on_retry,
            budget=BUDGET_TIMEOUTS * read_timeout if budget is None else budget,
        )

    def fetch(
        self, dataset: str, filters: Mapping[str, Sequence[str]] | None = None
    ) -> FetchedDataset:
        """GET one dataset and parse its JSON body; raises EurostatError on any failure."""
        url = dataset_url(self.base_url, dataset, filters)
        host = urlsplit(url).netloc
        attempts = 1 + self.retries
        if self.budget is not None and self._budget_ends is None:
            self._budget_ends = time.monotonic() + self.budget
        failure: _Failure | None = None
        for attempt in range(1, attempts + 1):
            left = self._budget_left()
            if left is not None and left <= 0:
                if failure is not None:  # the wait before this retry took the last of it
                    raise failure.error(dataset, attempt - 1, f"no retry: {self._limit()} ran out")
                raise EurostatTimeoutError(f"{dataset}: not tried: {self._limit()} had run out")
            retry_after: float | None = None
            try:
                status, headers, body = self._get(url, left)
            except _DeadlineError as exc:
                what = f"{host} did not {'send the whole answer' if exc.answered else 'answer'}"
                if self._budget_spent():
                    raise self._out_of_time(dataset, attempt, what) from None
                failure = _Failure(EurostatTimeoutError, f"{what} within {self.deadline:g} s")
            except _BodyTooLargeError as exc:
                # The same query would bring the same body: not worth a retry.
                raise EurostatResponseError(
                    f"{dataset}: {exc.describe()} than the "
                    f"{_size(self.max_body_bytes)} a dataset may take; refused"
                ) from None
            except _EncodingError as exc:
                raise EurostatResponseError(f"{dataset}: {exc}; refused") from None
            except requests.ConnectTimeout:
                if self._budget_spent():
                    raise self._out_of_time(dataset, attempt, f"{host} was not reached") from None
                failure = _Failure(
                    EurostatOfflineError,
                    f"cannot reach {host} within {self._connect_timeout():g} s: "
                    "the machine seems offline, or the host is unreachable",
                )
            except requests.Timeout:
                if self._budget_spent():
                    raise self._out_of_time(dataset, attempt, f"{host} did not answer") from None
                failure = _Failure(
                    EurostatTimeoutError, f"{host} did not answer within {self.timeout:g} s"
                )
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
                failure = _connection_failure(host, exc)
            except requests.RequestException as exc:
                raise EurostatError(
                    f"{dataset}: request to {host} failed: {_one_line(exc)}"
                ) from exc
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
            left = self._budget_left()
            if left is not None and wait >= left:
                # Waiting would use up the time the retry needs: give up now, not later.
                raise failure.error(
                    dataset,
                    attempt,
                    f"no retry: {self._limit()} would run out",
                )
            if self._on_retry is not None:
                self._on_retry(
                    f"{dataset}: {failure.reason}; retrying in {wait:.1f} s "
                    f"(attempt {attempt + 1} of {attempts})"
                )
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _connect_timeout(self) -> float:
        return min(self.timeout, MAX_CONNECT_TIMEOUT)

    def _budget_left(self) -> float | None:
        if self._budget_ends is None:
            return None
        return self._budget_ends - time.monotonic()

    def _budget_spent(self) -> bool:
        left = self._budget_left()
        return left is not None and left <= _BUDGET_SLACK

    def _limit(self) -> str:
        return f"the {self.budget:g} s time limit for the whole refresh"

    def _out_of_time(self, dataset: str, attempt: int, what: str) -> EurostatError:
        reason = f"{what} within {self.budget:g} s, the time limit for the whole refresh"
        return _Failure(EurostatTimeoutError, reason).error(dataset, attempt)

    def _get(self, url: str, left: float | None) -> tuple[int, Mapping[str, str], bytes]:
        """One request: status, headers and the decoded body."""
        deadline = time.monotonic() + (self.deadline if left is None else min(self.deadline, left))
        timeouts = (self._connect_timeout(), self.timeout)
        if left is not None:
            timeouts = (min(timeouts[0], left), min(timeouts[1], left))
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        # The read timeout holds for each socket read, so a server could drip its status
        # line and headers (up to http.client's 100 lines of 64 KB) for days; the watch
        # cuts the connection at the deadline instead.
        watch = _Watch(deadline)
        try:
            with (
                watch,
                self._session.get(url, timeout=timeouts, stream=True, headers=headers) as response,
            ):
                status = response.status_code
                try:
                    body = self._body(response, deadline)
                except _EncodingError:
                    if status != 200:
                        # An error page is read only for Eurostat's label: its status is
                        # the news.
                        body = b""
                    elif not watch.fired:
                        raise
        except requests.RequestException:
            if watch.fired:  # cut before the status line and headers were all there
                raise _DeadlineError(answered=False) from None
            raise
        except _EncodingError:
            if watch.fired:
                raise _DeadlineError from None
            raise
        if watch.fired:  # what came is what was there when the connection was cut
            raise _DeadlineError
        return status, response.headers, body

    def _body(self, response: requests.Response, deadline: float) -> bytes:
        """The body, read as it arrives and decoded: `_DeadlineError` once `deadline` (a
        monotonic time) has passed, `_BodyTooLargeError` as soon as it is over the cap (as
        sent or as decoded), `_EncodingError` when it cannot be decoded."""
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _BodyTooLargeError(int(declared))
        decoder = _Decoder(response.headers.get("Content-Encoding", ""), self.max_body_bytes)
        raw = response.raw
        body = bytearray()
        received = 0

        def room() -> int:
            return self.max_body_bytes - len(body)

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
                # The bytes are taken as sent: decoding is `decoder`'s, under the cap.
                chunk = raw.read1(_READ_BYTES, decode_content=False)
                received += len(chunk)
                if received > self.max_body_bytes:
                    raise _BodyTooLargeError(None)
                for piece in decoder.feed(chunk, room) if chunk else decoder.finish(room):
                    body += piece
                    if len(body) > self.max_body_bytes:
                        raise _BodyTooLargeError(None, decoded=decoder.encoded)
                    if time.monotonic() > deadline:  # a body that takes long to unpack
                        raise _DeadlineError
                if not chunk:
                    return bytes(body)
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
            payload = parse_json(body)
        except JsonNestingError as exc:
            raise EurostatResponseError(
                f"{dataset}: the response is refused ({len(body)} bytes): {exc}"
            ) from None
        except JsonStatError:
            detail = _json_fault(body)
            raise EurostatResponseError(
                f"{dataset}: the response is not valid JSON ({len(body)} bytes; "
                f"truncated or not JSON-stat): {detail}"
            ) from None
        message = eurostat_error_message(payload)
        if message is not None:
            raise EurostatHTTPError(
                f"{dataset}: Eurostat refused the query: {message}", 200, message
            )
        if not isinstance(payload, dict):
            raise EurostatResponseError(
                f"{dataset}: the response is JSON but not an object ({type(payload).__name__})"
            )
        other = _other_dataset(payload, dataset)
        if other is not None:
            raise EurostatResponseError(f"{dataset}: {other}; refused")
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
    """The whole answer did not arrive within the client's deadline; `answered` says
    whether at least its status line and headers had."""

    def __init__(self, *, answered: bool = True) -> None:
        super().__init__()
        self.answered = answered


class _BodyTooLargeError(Exception):
    """The body is over the cap: as its Content-Length says (`declared`), or as counted
    while it arrived or was decoded (None: reading stopped there, so its whole size is
    unknown). `decoded` names the encoding when the decoded bytes went over."""

    def __init__(self, declared: int | None, decoded: str | None = None) -> None:
        super().__init__(declared)
        self.declared = declared
        self.decoded = decoded

    def describe(self) -> str:
        """The start of the refusal, to be followed by "than the … a dataset may take"."""
        if self.decoded is not None:
            return f"the answer ({self.decoded}-compressed) unpacks to more"
        if self.declared is not None:
            return f"the answer is {_size(self.declared)}, more"
        return "the answer is larger"


class _EncodingError(Exception):
    """The body's Content-Encoding is one the client does not decode, or the body is not
    what its encoding says; str(error) says which."""


class _Decoder:
    """Undoes a Content-Encoding piece by piece, never producing more than asked for.

    Each coding is a zlib decompressor: gzip (one or more members), or deflate, which
    servers send either zlib-wrapped (as RFC 9110 says) or raw (as some always have): the
    first two bytes tell which. Every stage's output is capped like the body, so neither
    the last stage nor one in between can be made to unpack without bound.
    """

    def __init__(self, header: str, cap: int) -> None:
        codings = [c.strip().lower() for c in header.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > MAX_CODINGS:
            raise _EncodingError(
                f"the answer is encoded {len(codings)} times over ({_one_line(header)})"
            )
        for coding in codings:
            if coding not in ("gzip", "x-gzip", "deflate"):
                raise _EncodingError(
                    f"the answer is compressed as {_one_line(coding)!r}, which was not asked "
                    f"for (the client accepts {ACCEPT_ENCODING})"
                )
        self.encoded = codings[-1] if codings else None
        # Content-Encoding lists codings in the order applied: undo them from the last.
        self._stages = [_Stage(coding, cap) for coding in reversed(codings)]

    def feed(self, chunk: bytes, room: Callable[[], int]) -> Iterable[bytes]:
        """The decoded pieces of `chunk`, each at most `room()` + 1 bytes."""
        if not self._stages:
            yield chunk
            return
        yield from self._through(0, chunk, room, final=False)

    def finish(self, room: Callable[[], int]) -> Iterable[bytes]:
        """What is left once the body has ended; `_EncodingError` if it ended early."""
        if not self._stages:
            return
        yield from self._through(0, b"", room, final=True)

    def _through(
        self, index: int, data: bytes, room: Callable[[], int], *, final: bool
    ) -> Iterable[bytes]:
        stage = self._stages[index]
        last = index == len(self._stages) - 1
        for piece in stage.decode(data, room if last else lambda: stage.cap, final=final):
            if last:
                yield piece
            else:
                yield from self._through(index + 1, piece, room, final=False)
        if final and not last:
            yield from self._through(index + 1, b"", room, final=True)


class _Stage:
    def __init__(self, coding: str, cap: int) -> None:
        self.coding = "gzip" if coding == "x-gzip" else coding
        self.cap = cap
        self._produced = 0
        self._fed = False
        self._pending = b""  # deflate: bytes held until the wrapping is known
        self._inflater: zlib._Decompress | None = None
        if self.coding == "gzip":
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def decode(self, data: bytes, room: Callable[[], int], *, final: bool) -> Iterable[bytes]:
        self._fed = self._fed or bool(data)
        if final and not self._fed:
            return  # an empty body (an error page, say) is empty in any encoding
        if self._inflater is None:
            self._pending += data
            if len(self._pending) < 2 and not final:
                return
            self._inflater = zlib.decompressobj(_deflate_wbits(self._pending))
            data, self._pending = self._pending, b""
        try:
            yield from self._inflate(data, room)
            if final:
                yield from self._inflate(b"", room)
                if not self._inflater.eof:
                    raise _EncodingError(f"the {self.coding}-compressed answer is cut short")
        except zlib.error as exc:
            raise _EncodingError(
                f"the answer is not valid {self.coding} data ({_one_line(exc)})"
            ) from None

    def _inflate(self, data: bytes, room: Callable[[], int]) -> Iterable[bytes]:
        while True:
            inflater = self._inflater
            assert inflater is not None
            if inflater.eof:
                # zlib keeps what came after the end in unused_data; `data` was not fed yet.
                rest = inflater.unused_data + data
                data = b""
                if not rest.strip(b"\0"):
                    return  # nothing, or the zero padding some servers add
                if self.coding != "gzip":
                    raise _EncodingError(f"the {self.coding} data is followed by other bytes")
                # Another gzip member follows (gzip allows several, concatenated).
                inflater = self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest
            # max_length bounds what one call may unpack: one byte over the room left is
            # enough to know the cap is passed.
            limit = max(1, min(room(), self.cap - self._produced) + 1)
            out = inflater.decompress(data, limit)
            data = inflater.unconsumed_tail
            if out:
                self._produced += len(out)
                if self._produced > self.cap:
                    raise _BodyTooLargeError(None, decoded=self.coding)
                yield out
            elif not data and not inflater.eof:
                return


def _deflate_wbits(start: bytes) -> int:
    """zlib-wrapped deflate starts with a 2-byte header (method 8, checksum divisible by
    31); anything else is taken as raw deflate."""
    if len(start) >= 2 and start[0] & 0x0F == 8 and (start[0] << 8 | start[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


# --- the headers' deadline ---------------------------------------------------------------------


_watching = threading.local()


class _Watch:
    """While active (a `with` block, in this thread), every response's status line and
    headers must have arrived by `deadline` (a monotonic time): at the deadline a timer
    shuts the socket, which ends the blocked read, and `fired` says that it did."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False

    def __enter__(self) -> _Watch:
        _watching.watch = self
        return self

    def __exit__(self, *exc: object) -> None:
        _watching.watch = None

    @contextlib.contextmanager
    def guarding(self, sock: object) -> Iterator[None]:
        if not isinstance(sock, socket.socket):
            yield
            return
        timer = threading.Timer(max(0.0, self.deadline - time.monotonic()), self._cut, (sock,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _cut(self, sock: socket.socket) -> None:
        self.fired = True
        # The plain socket's shutdown, also for TLS: SSLSocket.shutdown would tear down the
        # TLS state under the thread that is reading.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedMixin:
    sock: object

    def getresponse(self) -> urllib3.response.HTTPResponse:
        watch: _Watch | None = getattr(_watching, "watch", None)
        if watch is None:
            return super().getresponse()  # type: ignore[misc]
        with watch.guarding(self.sock):
            return super().getresponse()  # type: ignore[misc]


class _WatchedHTTPConnection(_WatchedMixin, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedMixin, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with connections that honour a `_Watch`."""

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **kwargs: object) -> urllib3.poolmanager.PoolManager:
        manager = super().proxy_manager_for(proxy, **kwargs)
        # SOCKS proxies bring pools of their own, which are left as they are.
        if type(manager) is urllib3.poolmanager.ProxyManager:
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


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

    def error(self, dataset: str, attempt: int, note: str | None = None) -> EurostatError:
        tries = "1 try" if attempt == 1 else f"{attempt} tries"
        if note:
            tries += f"; {note}"
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
    # An error page that is not JSON (a proxy's HTML, say), or is hostile JSON, still gets
    # its status reported.
    try:
        label = eurostat_error_message(parse_json(body))
    except JsonStatError:
        label = None
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


def _json_fault(body: bytes) -> str:
    """Why `body` is not JSON, in the words of json.loads (its depth is known to be fine)."""
    try:
        parse_json(body)
    except JsonStatError as exc:
        return str(exc).split("truncated?): ", 1)[-1]
    return "unknown fault"  # pragma: no cover - only called after parse_json failed


def _other_dataset(payload: Mapping, dataset: str) -> str | None:
    """Why `payload` is not the dataset asked for, or None when it is (or cannot tell).

    Eurostat's JSON-stat names the dataset in `extension.id` (upper case, ISOC_E_DII); a
    body that names another one is a misrouted or swapped answer, and its numbers would be
    published under the wrong series."""
    extension = payload.get("extension")
    if extension is None:
        return None
    if not isinstance(extension, Mapping):
        return f"the response's 'extension' is not an object ({type(extension).__name__})"
    named = extension.get("id")
    if named is None:
        return None
    if not isinstance(named, str):
        return f"the response's dataset id is not text ({type(named).__name__})"
    if named.strip().lower() != dataset.lower():
        return f"the response is dataset {_one_line(named, 60)!r}, not the {dataset!r} asked for"
    return None


def _one_line(value: object, limit: int = 200) -> str:
    text = " ".join(str(value)[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
