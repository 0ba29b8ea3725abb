"""A local stand-in for Eurostat's statistics API that replays recorded bodies.

It is a real HTTP server on 127.0.0.1 (a free port, a background thread), so the client is
tested through requests, sockets and timeouts exactly as in production. Each dataset path
serves its recorded body; faults can be queued per request (`then`) or set for every request
(`always`), and every request is recorded so tests can check the query string and count
retries.
"""

from __future__ import annotations

import json
import threading
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

    kind: str  # "status", "slow", "truncated", "drop", "body", "drip"
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
    def drip(cls, seconds: float, *, declare_length: bool = True) -> Fault:
        """Answer 200 with the recorded body at once in the headers, then one byte of it
        every `seconds` (0: as fast as the socket takes it). Without a Content-Length the
        body ends when the connection closes, as HTTP/1.0 allows."""
        return cls("drip", seconds=seconds, declare_length=declare_length)


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

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass
class ReplayServer:
    bodies: dict[str, bytes] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _queued: dict[str, list[Fault]] = field(default_factory=dict)
    _always: dict[str, Fault] = field(default_factory=dict)
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
        with self._lock:
            self.requests.append(
                RecordedRequest(
                    parts.path, dataset, tuple(parse_qsl(parts.query, keep_blank_values=True))
                )
            )
        if dataset is None or dataset not in self.bodies:
            error = {"error": [{"status": 404, "id": 100, "label": f"NOT_FOUND: {parts.path}"}]}
            _answer(handler, 404, json.dumps(error).encode())
            return
        body = self.bodies[dataset]
        fault = self._next_fault(dataset)
        if fault is None:
            _answer(handler, 200, body)
        elif fault.kind == "status":
            _answer(handler, fault.status, fault.body, fault.headers)
        elif fault.kind == "slow":
            if not self._stopping.wait(fault.seconds):
                _answer(handler, 200, body)
        elif fault.kind == "truncated":
            _answer(handler, 200, body[: len(body) // 2])
        elif fault.kind == "body":
            _answer(handler, 200, fault.body)
        elif fault.kind == "drop":
            handler.close_connection = True
        elif fault.kind == "drip":
            self._drip(handler, body, fault)
        else:  # pragma: no cover - a typo in a test
            raise ValueError(f"unknown fault {fault.kind!r}")

    def _drip(self, handler: BaseHTTPRequestHandler, body: bytes, fault: Fault) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if fault.declare_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.flush()
        for index in range(len(body)):
            # The client hanging up makes the write fail, which ends the handler.
            handler.wfile.write(body[index : index + 1])
            handler.wfile.flush()
            if fault.seconds and self._stopping.wait(fault.seconds):
                return
        handler.close_connection = True


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
