"""A local stand-in for Eurostat's statistics API that replays recorded bodies.

It is a real HTTP server on 127.0.0.1 (a free port, a background thread), so the client is
tested through requests, sockets and timeouts exactly as in production. Each dataset path
serves its recorded body; faults can be queued per request (`then`) or set for every request
(`always`), and every request is recorded so tests can check the query string and count
retries.

Like a web server or CDN in front of Eurostat, it can compress what it sends (`compress`):
gzip, or deflate zlib-wrapped or raw, each only when the request accepts it. Builders below
derive hostile bodies from the recorded ones (deep nesting, a huge cube, a gzip bomb).
"""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "eurostat"
BASE_PATH = "/eurostat/api/dissemination"
DATA_PATH = f"{BASE_PATH}/statistics/1.0/data/"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# --- faults ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What the server does instead of replaying the recorded body for one request."""

    # "status", "slow", "truncated", "drop", "body", "drip", "drip-all", "encoded", "chunked"
    kind: str
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0
    declare_length: bool = True

    @classmethod
    def http(cls, status: int, body: bytes = b"", retry_after: str | None = None) -> Fault:
        headers = (("Retry-After", retry_after),) if retry_after is not None else ()
        return cls("status", status=status, body=body, headers=headers)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Wait `seconds` before answering (longer than the client's timeout)."""
        return cls("slow", seconds=seconds)

    @classmethod
    def truncated(cls) -> Fault:
        """Half of the recorded body, with a Content-Length that matches the half."""
        return cls("truncated")

    @classmethod
    def drop(cls) -> Fault:
        """Close the connection without sending a single byte."""
        return cls("drop")

    @classmethod
    def serve(cls, body: bytes) -> Fault:
        """Answer 200 with another body (e.g. a valid JSON-stat without a dimension)."""
        return cls("body", body=body)

    @classmethod
    def encoded(cls, body: bytes, content_encoding: str, status: int = 200) -> Fault:
        """Answer with `body` as given and this Content-Encoding, whatever was asked for:
        a bomb, a corrupt stream, or an encoding the client never advertised."""
        return cls(
            "encoded",
            status=status,
            body=body,
            headers=(("Content-Encoding", content_encoding),),
        )

    @classmethod
    def drip(cls, seconds: float, *, declare_length: bool = True) -> Fault:
        """Answer 200 with the recorded body at once in the headers, then one byte of it
        every `seconds` (0: as fast as the socket takes it). Without a Content-Length the
        body ends when the connection closes, as HTTP/1.0 allows."""
        return cls("drip", seconds=seconds, declare_length=declare_length)

    @classmethod
    def chunked(cls) -> Fault:
        """Answer as HTTP/1.1 servers and CDNs stream: Transfer-Encoding chunked (pieces of
        500 bytes), no Content-Length."""
        return cls("chunked")

    @classmethod
    def drip_all(cls, seconds: float) -> Fault:
        """Send the whole answer, status line and headers too, one byte every `seconds`."""
        return cls("drip-all", seconds=seconds)


# --- compression -----------------------------------------------------------------------------

# mode -> the Content-Encoding it is sent as
ENCODINGS = {"gzip": "gzip", "deflate": "deflate", "deflate-raw": "deflate"}


def compressed(body: bytes, mode: str) -> bytes:
    """`body` as a server sends it with `mode`: gzip, deflate (zlib-wrapped, RFC 9110) or
    deflate-raw (bare RFC 1951 data, which some servers send as "deflate")."""
    if mode == "gzip":
        return gzip.compress(body, mtime=0)
    if mode == "deflate":
        return zlib.compress(body)
    if mode == "deflate-raw":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        return packer.compress(body) + packer.flush()
    raise ValueError(f"unknown compression {mode!r}")


def gzip_bomb(unpacked_bytes: int) -> bytes:
    """A small gzip stream of zeros that unpacks to `unpacked_bytes` (about 1,000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = []
    left = unpacked_bytes
    while left > 0:
        parts.append(packer.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(packer.flush())
    return b"".join(parts)


# --- hostile bodies ----------------------------------------------------------------------------


def deeply_nested(depth: int) -> bytes:
    """Valid JSON nested `depth` arrays deep, inside what otherwise looks like the dataset."""
    return b'{"class": "dataset", "label": ' + b"[" * depth + b"]" * depth + b"}"


def huge_cube(body: bytes, dimensions: int, categories: int) -> bytes:
    """The recorded dataset with `dimensions` extra dimensions of `categories` categories
    each: a few hundred KB that define categories**dimensions cells."""
    data = json.loads(body)
    for n in range(dimensions):
        name = f"extra{n}"
        data["id"].insert(0, name)
        data["size"].insert(0, categories)
        data["dimension"][name] = {"category": {"index": {f"C{i}": i for i in range(categories)}}}
    return json.dumps(data).encode()


def sliced(body: bytes, dimension: str, code: str) -> bytes:
    """The same JSON-stat dataset keeping only category `code` of `dimension` (size 1)."""
    data = json.loads(body)
    ids: list[str] = data["id"]
    sizes: list[int] = data["size"]
    axis = ids.index(dimension)
    category = data["dimension"][dimension]["category"]
    keep = category["index"][code]
    inner = 1
    for size in sizes[axis + 1 :]:
        inner *= size

    def reindex(mapping: dict[str, object]) -> dict[str, object]:
        kept = {}
        for key, item in mapping.items():
            outer, rest = divmod(int(key), inner * sizes[axis])
            position, within = divmod(rest, inner)
            if position == keep:
                kept[str(outer * inner + within)] = item
        return kept

    data["value"] = reindex(data["value"])
    if isinstance(data.get("status"), dict):
        data["status"] = reindex(data["status"])
    sizes[axis] = 1
    category["index"] = {code: 0}
    if "label" in category:
        category["label"] = {code: category["label"][code]}
    return json.dumps(data).encode()


def without_dimension(body: bytes, dimension: str) -> bytes:
    """The same dataset with `dimension` gone (only its first category's cells kept).

    The result is still valid JSON-stat, so it decodes cleanly and only lacks the dimension.
    """
    data = json.loads(body)
    index = data["dimension"][dimension]["category"]["index"]
    first = min(index, key=index.get)
    data = json.loads(sliced(body, dimension, first))
    axis = data["id"].index(dimension)
    del data["id"][axis], data["size"][axis]
    del data["dimension"][dimension]
    return json.dumps(data).encode()


def emptied(body: bytes) -> bytes:
    """The same dataset structure with no observations at all."""
    data = json.loads(body)
    data["value"] = {}
    data["status"] = {}
    return json.dumps(data).encode()


# --- the server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    dataset: str | None
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass
class ReplayServer:
    bodies: dict[str, bytes] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _queued: dict[str, list[Fault]] = field(default_factory=dict)
    _always: dict[str, Fault] = field(default_factory=dict)
    # How every body is compressed when the request accepts it (None: never).
    compression: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    # -- scripting

    def serve(self, dataset: str, body: bytes) -> None:
        self.bodies[dataset] = body

    def then(self, dataset: str, *faults: Fault) -> None:
        """Use these faults for the next requests of `dataset`, one each, in order."""
        with self._lock:
            self._queued.setdefault(dataset, []).extend(faults)

    def always(self, dataset: str, fault: Fault) -> None:
        with self._lock:
            self._always[dataset] = fault

    def compress(self, mode: str | None) -> None:
        """Compress every answer from now on ("gzip", "deflate", "deflate-raw"; None: not)."""
        if mode is not None and mode not in ENCODINGS:
            raise ValueError(f"unknown compression {mode!r}")
        self.compression = mode

    def requests_for(self, dataset: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.dataset == dataset]

    # -- lifecycle

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{BASE_PATH}"

    def start(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        # A client that gave up (timeout, truncated read) makes the handler's write fail;
        # that is the point of the test, not an error worth printing.
        httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="replay-server"
        )
        self._thread.daemon = True
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- handling

    def _next_fault(self, dataset: str) -> Fault | None:
        with self._lock:
            queue = self._queued.get(dataset)
            if queue:
                return queue.pop(0)
            return self._always.get(dataset)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        dataset = parts.path[len(DATA_PATH) :] if parts.path.startswith(DATA_PATH) else None
        recorded = RecordedRequest(
            parts.path,
            dataset,
            tuple(parse_qsl(parts.query, keep_blank_values=True)),
            tuple(handler.headers.items()),
        )
        with self._lock:
            self.requests.append(recorded)
        answer = self._encoder(recorded)
        if dataset is None or dataset not in self.bodies:
            error = {"error": [{"status": 404, "id": 100, "label": f"NOT_FOUND: {parts.path}"}]}
            _answer(handler, 404, *answer(json.dumps(error).encode()))
            return
        body = self.bodies[dataset]
        fault = self._next_fault(dataset)
        if fault is None:
            _answer(handler, 200, *answer(body))
        elif fault.kind == "status":
            sent, headers = answer(fault.body)
            _answer(handler, fault.status, sent, headers + fault.headers)
        elif fault.kind == "slow":
            if not self._stopping.wait(fault.seconds):
                _answer(handler, 200, *answer(body))
        elif fault.kind == "truncated":
            sent, headers = answer(body)
            _answer(handler, 200, sent[: len(sent) // 2], headers)
        elif fault.kind == "body":
            _answer(handler, 200, *answer(fault.body))
        elif fault.kind == "encoded":
            _answer(handler, fault.status, fault.body, fault.headers)
        elif fault.kind == "drop":
            handler.close_connection = True
        elif fault.kind == "drip":
            self._drip(handler, *answer(body), fault)
        elif fault.kind == "chunked":
            sent, headers = answer(body)
            head = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
            head += ["Transfer-Encoding: chunked", "Connection: close"]
            head += [f"{k}: {v}" for k, v in headers]
            chunks = [sent[i : i + 500] for i in range(0, len(sent), 500)] + [b""]
            handler.close_connection = True
            handler.wfile.write("\r\n".join([*head, "", ""]).encode())
            for piece in chunks:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        elif fault.kind == "drip-all":
            sent, headers = answer(body)
            head = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
            head += [f"Content-Length: {len(sent)}", *(f"{k}: {v}" for k, v in headers)]
            self._trickle(handler, "\r\n".join([*head, "", ""]).encode() + sent, fault.seconds)
        else:  # pragma: no cover - a typo in a test
            raise ValueError(f"unknown fault {fault.kind!r}")

    def _encoder(
        self, request: RecordedRequest
    ) -> Callable[[bytes], tuple[bytes, tuple[tuple[str, str], ...]]]:
        """body -> (the bytes to send, extra headers), as `compression` and the request's
        Accept-Encoding have it."""
        mode = self.compression
        accepted = {
            part.split(";")[0].strip().lower()
            for part in (request.header("Accept-Encoding") or "").split(",")
        }
        if mode is None or ENCODINGS[mode] not in accepted:
            return lambda body: (body, ())
        return lambda body: (
            compressed(body, mode),
            (("Content-Encoding", ENCODINGS[mode]), ("Vary", "Accept-Encoding")),
        )

    def _drip(
        self,
        handler: BaseHTTPRequestHandler,
        body: bytes,
        headers: tuple[tuple[str, str], ...],
        fault: Fault,
    ) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if fault.declare_length:
            handler.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.flush()
        self._trickle(handler, body, fault.seconds)

    def _trickle(self, handler: BaseHTTPRequestHandler, data: bytes, seconds: float) -> None:
        handler.close_connection = True
        for index in range(len(data)):
            # The client hanging up makes the write fail, which ends the handler.
            handler.wfile.write(data[index : index + 1])
            handler.wfile.flush()
            if seconds and self._stopping.wait(seconds):
                return


def _answer(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: tuple[tuple[str, str], ...] = (),
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
