"""Serving a room: N concurrent sessions through the proxy of `deploy/local.sh`, speaking
Streamlit's websocket protocol as the browser does, with 1, 2 and 4 replicas, on two pages
(Romania vs EU; Members vs Romania vs EU) beside the bare one-chart app (bench/bare_app.py)
behind the same proxy configuration.

One session, as a browser opening the page: GET the page (the proxy's sticky cookie),
GET /_stcore/health and /_stcore/host-config (Streamlit's XSRF cookie), open
/_stcore/stream with the "streamlit" subprotocol and the XSRF token, send the rerun
BackMsg with the page, the query string and the browser's context, read ForwardMsgs until
`script_finished`. Timed: from the first GET to `script_finished`. All N sessions start
together and stay open until every one has finished, as a room of browsers does.

Memory per replica: the resident size of each replica's processes after warm-up and the
load runs, then with 60 more sessions opened ten at a time and left idle; the growth
divided by the sessions is the memory an idle session holds.

    DIH_DASH_DATABASE_URL=postgresql+psycopg://… python bench/load.py \
        [--sessions 50,100] [--replicas 1,2,4] [--port 18700]

The database named (default: DIH_DASH_TEST_POSTGRES_URL) gets a schema of its own, dropped
at the end. Targets (2-core machine): 100 concurrent sessions all served; p95 with 2
replicas ≤ 0.7 x p95 with 1; p95 ≤ 1.5 x the bare app's under the same load and topology;
≤ 2 MB per idle session. The script prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SH = ROOT / "deploy" / "local.sh"
sys.path.insert(0, str(ROOT / "deploy"))
from healthcheck import healthy  # noqa: E402

# name -> (url path, query string); "" is the default page, Romania vs EU.
PAGES = {
    "Romania vs EU": ("", "lang=ro"),
    "Members vs Romania vs EU": ("members", "lang=ro"),
}
BARE = "bare app (one chart)"
# Sessions opened, ten at a time, and left idle for the memory figure.
IDLE = 60


@dataclass
class Outcome:
    seconds: float | None
    error: str | None = None
    replica: str = ""
    deltas: int = 0


@dataclass
class Session:
    """One open browser tab: its HTTP client (cookies) and websocket."""

    client: httpx.AsyncClient
    socket: websockets.ClientConnection | None = None
    outcome: Outcome = field(default_factory=lambda: Outcome(None))


def rerun_message(url: str, path: str, query: str) -> bytes:
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_name = path
    state.page_script_hash = ""
    info = state.context_info
    info.timezone = "Europe/Bucharest"
    info.timezone_offset = -120
    info.locale = "ro-RO"
    info.url = url
    info.is_embedded = False
    info.color_scheme = "light"
    return message.SerializeToString()


async def open_session(base: str, path: str, query: str, timeout: float) -> Session:
    """Open the page as a browser does and wait for its script run to finish."""
    session = Session(httpx.AsyncClient(base_url=base, timeout=timeout))
    start = time.perf_counter()
    try:
        page_url = f"{base}/{path}?{query}"
        answer = await session.client.get(f"/{path}", params=query)
        answer.raise_for_status()
        await session.client.get("/_stcore/health")
        await session.client.get("/_stcore/host-config")
        cookies = session.client.cookies
        session.outcome.replica = cookies.get("DIHDASH") or ""
        xsrf = cookies.get("_streamlit_xsrf") or ""
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        ws_url = base.replace("http://", "ws://", 1) + "/_stcore/stream"
        session.socket = await websockets.connect(
            ws_url,
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": header, "Origin": "/".join(base.split("/")[:3])},
            max_size=None,
            open_timeout=timeout,
            ping_interval=None,
        )
        await session.socket.send(rerun_message(page_url, path, query))
        deltas = 0
        async with asyncio.timeout(timeout):
            while True:
                raw = await session.socket.recv()
                message = ForwardMsg()
                message.ParseFromString(raw)  # type: ignore[arg-type]
                kind = message.WhichOneof("type")
                if kind == "delta":
                    deltas += 1
                    element = message.delta.new_element
                    if message.delta.WhichOneof("type") == "new_element" and element.HasField(
                        "exception"
                    ):
                        raise RuntimeError(f"page error: {element.exception.type}")
                elif kind == "page_not_found":
                    raise RuntimeError("page not found")
                elif kind == "script_finished":
                    if message.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        raise RuntimeError(f"script finished with {message.script_finished}")
                    break
        session.outcome = Outcome(
            time.perf_counter() - start, None, session.outcome.replica, deltas
        )
    except Exception as exc:  # every failure is a figure of the run, not a crash of it
        session.outcome = Outcome(
            None, f"{type(exc).__name__}: {exc}"[:200], session.outcome.replica
        )
    return session


async def close_sessions(sessions: list[Session]) -> None:
    for session in sessions:
        if session.socket is not None:
            with contextlib.suppress(Exception):
                await session.socket.close()
        await session.client.aclose()


async def room(base: str, path: str, query: str, n: int, timeout: float) -> list[Outcome]:
    """N sessions at once, all kept open until the last has finished."""
    sessions = await asyncio.gather(*(open_session(base, path, query, timeout) for _ in range(n)))
    outcomes = [s.outcome for s in sessions]
    await close_sessions(list(sessions))
    return outcomes


async def idle_sessions(
    base: str, path: str, query: str, n: int, batch: int, timeout: float
) -> list[Session]:
    opened: list[Session] = []
    for _ in range(0, n, batch):
        opened += await asyncio.gather(
            *(open_session(base, path, query, timeout) for _ in range(batch))
        )
    return opened


# --- processes -------------------------------------------------------------------------------


def group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in a process group (a replica: `dih-dash serve`
    and its Streamlit child), in MB."""
    return sum(process_rss_mb(pgid))


def process_rss_mb(pgid: int) -> list[float]:
    """Resident memory of each process of a process group, in MB."""
    sizes = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return sizes


@dataclass
class Topology:
    proxy: str
    replicas: list[str]
    pgids: list[int]


@contextlib.contextmanager
def dih_dash_topology(replicas: int, port: int, env: dict[str, str]) -> Iterator[Topology]:
    run_dir = Path(env["DIH_DASH_RUN_DIR"])
    up = subprocess.run(
        [str(LOCAL_SH), "up", "--replicas", str(replicas), "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if up.returncode != 0:
        raise SystemExit(f"deploy/local.sh up failed:\n{up.stderr[-3000:]}")
    lines = up.stdout.split()
    proxy = lines[lines.index("proxy") + 1]
    urls = [lines[i + 1] for i, word in enumerate(lines) if word == "replica"]
    pgids = [int((run_dir / f"replica-{i}.pid").read_text()) for i in range(1, replicas + 1)]
    try:
        yield Topology(proxy, urls, pgids)
    finally:
        subprocess.run([str(LOCAL_SH), "down"], env=env, capture_output=True, timeout=60)


@contextlib.contextmanager
def bare_topology(replicas: int, port: int, env: dict[str, str]) -> Iterator[Topology]:
    """The bare app as N replicas behind HAProxy with local.sh's configuration."""
    run_dir = Path(env["DIH_DASH_RUN_DIR"])
    run_dir.mkdir(parents=True, exist_ok=True)
    config = subprocess.run(
        [str(LOCAL_SH), "config", "--replicas", str(replicas), "--port", str(port)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cfg = run_dir / "bare-haproxy.cfg"
    cfg.write_text(config)
    app_env = {
        **env,
        **read_app_env(),
        "DIH_DASH_PROXY_BIND": f"127.0.0.1:{port}",
        "DIH_DASH_HEALTH_PATH": "/_stcore/health",
        "DIH_DASH_COOKIE_SECRET": "bench",
        "STREAMLIT_SERVER_COOKIE_SECRET": "bench",
    }
    processes = []
    try:
        for i in range(1, replicas + 1):
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "streamlit",
                        "run",
                        str(ROOT / "bench" / "bare_app.py"),
                        "--server.port",
                        str(port + i),
                        "--server.address",
                        "127.0.0.1",
                    ],
                    cwd=ROOT / "bench",
                    env=app_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        urls = [f"http://127.0.0.1:{port + i}" for i in range(1, replicas + 1)]
        wait_healthy(urls)
        processes.append(
            subprocess.Popen(
                ["haproxy", "-f", str(cfg)],
                env=app_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        proxy = f"http://127.0.0.1:{port}"
        wait_healthy([proxy])
        yield Topology(proxy, urls, [p.pid for p in processes[:-1]])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def read_app_env() -> dict[str, str]:
    values = {}
    for line in (ROOT / "deploy" / "app.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


def wait_healthy(urls: list[str], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    for url in urls:
        while not healthy(url):
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not answer its health check")
            time.sleep(0.3)


@contextlib.contextmanager
def own_schema(url: str) -> Iterator[str]:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    if base.drivername in ("postgresql", "postgres"):
        base = base.set(drivername="postgresql+psycopg")
    name = f"dih_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    try:
        scoped = base.update_query_dict({"options": f"-csearch_path={name}"})
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summarise(outcomes: list[Outcome]) -> dict[str, object]:
    times = [o.seconds for o in outcomes if o.seconds is not None]
    errors = [o.error for o in outcomes if o.error]
    per_replica: dict[str, int] = {}
    for o in outcomes:
        per_replica[o.replica] = per_replica.get(o.replica, 0) + 1
    return {
        "served": len(times),
        "n": len(outcomes),
        "p50": statistics.median(times) if times else None,
        "p95": percentile(times, 0.95) if times else None,
        "max": max(times) if times else None,
        "errors": sorted(set(errors))[:3],
        "split": sorted(per_replica.values(), reverse=True),
    }


def fmt(seconds: object) -> str:
    return f"{seconds:5.2f}" if isinstance(seconds, float) else "  -  "


def measure(
    topology: Topology,
    targets: dict[str, tuple[str, str]],
    sessions: list[int],
    timeout: float,
    label: str,
    results: dict,
) -> None:
    replicas = len(topology.replicas)
    # Warm: every replica has drawn every page once (caches filled), as after the first
    # visitors of the day.
    for url in topology.replicas:
        for path, query in targets.values():
            warm = asyncio.run(room(url, path, query, 1, timeout))
            if warm[0].error:
                raise SystemExit(f"warm-up of {url}/{path} failed: {warm[0].error}")
    idle_memory(topology, *next(iter(targets.values())), timeout, label, results)
    for name, (path, query) in targets.items():
        for n in sessions:
            time.sleep(2)  # let the previous room's sessions close
            load = os.getloadavg()[0]
            summary = summarise(asyncio.run(room(topology.proxy, path, query, n, timeout)))
            summary["load"] = load
            results[(name, replicas, n)] = summary
            print(
                f"  {name:26} replicas {replicas}  sessions {n:3}  served "
                f"{summary['served']:3}/{n}  p50 {fmt(summary['p50'])} s  p95 "
                f"{fmt(summary['p95'])} s  max {fmt(summary['max'])} s  split {summary['split']}"
                f"  (load average before: {load:.1f})"
                + (f"  errors {summary['errors']}" if summary["errors"] else ""),
                flush=True,
            )
    after = ", ".join(f"{group_rss_mb(pgid):.0f}" for pgid in topology.pgids)
    print(f"  {label:26} replicas {replicas}  memory per replica after the rooms {after} MB")


def idle_memory(
    topology: Topology, path: str, query: str, timeout: float, label: str, results: dict
) -> None:
    """Sessions opened ten at a time after warm-up and left open: the growth of the
    replicas' memory per session. An upper bound: it includes what ten concurrent script
    runs leave in the allocator, which later sessions reuse."""
    replicas = len(topology.replicas)
    time.sleep(1)
    before = [group_rss_mb(pgid) for pgid in topology.pgids]
    processes = "; ".join(
        " + ".join(f"{m:.0f}" for m in sorted(process_rss_mb(pgid))) for pgid in topology.pgids
    )

    async def hold() -> tuple[list[float], list[Outcome]]:
        opened = await idle_sessions(topology.proxy, path, query, IDLE, 10, timeout)
        await asyncio.sleep(3)
        after = [group_rss_mb(pgid) for pgid in topology.pgids]
        await close_sessions(opened)
        return after, [s.outcome for s in opened]

    after, outcomes = asyncio.run(hold())
    served = sum(1 for o in outcomes if o.error is None)
    errors = sorted({o.error for o in outcomes if o.error})[:3]
    per_session = (sum(after) - sum(before)) / served if served else float("nan")
    results[(label, replicas, "memory")] = {"per_session": per_session, "served": served}
    print(
        f"  {label:26} replicas {replicas}  memory per replica after warm-up "
        f"{', '.join(f'{m:.0f}' for m in before)} MB (processes: {processes}); with "
        f"{served}/{len(outcomes)} idle sessions {', '.join(f'{m:.0f}' for m in after)} MB: "
        f"{per_session:.2f} MB per idle session" + (f"  errors {errors}" if errors else ""),
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="50,100")
    parser.add_argument("--replicas", default="1,2,4")
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--no-bare", action="store_true")
    args = parser.parse_args()
    sessions = [int(n) for n in args.sessions.split(",")]
    replica_counts = [int(n) for n in args.replicas.split(",")]
    database = os.environ.get("DIH_DASH_DATABASE_URL") or os.environ.get(
        "DIH_DASH_TEST_POSTGRES_URL"
    )
    if not database:
        raise SystemExit("set DIH_DASH_DATABASE_URL (PostgreSQL) for the replicas to share")
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}", flush=True)
    results: dict = {}
    with own_schema(database) as url, tempfile.TemporaryDirectory() as run_dir:
        env = {
            **os.environ,
            "DIH_DASH_DATABASE_URL": url,
            "DIH_DASH_RUN_DIR": run_dir,
            "DIH_DASH_AUTO_LOAD_DEMO": "1",
        }
        # The demo cohort (40 fictional members) for the members page, loaded once, before
        # any replica starts, as an import would have.
        subprocess.run(
            [str(Path(sys.executable).with_name("dih-dash")), "demo", "load", "--db", url],
            env=env,
            check=True,
            capture_output=True,
        )
        for replicas in replica_counts:
            print(f"\n{replicas} replica(s) behind HAProxy", flush=True)
            with dih_dash_topology(replicas, args.port, env) as topology:
                measure(topology, PAGES, sessions, args.timeout, "dih-dash", results)
            if not args.no_bare:
                with bare_topology(replicas, args.port, env) as topology:
                    measure(topology, {BARE: ("", "")}, sessions, args.timeout, BARE, results)
    print("\nTargets:")
    for n in sessions:
        for name in PAGES:
            one, two = results.get((name, 1, n)), results.get((name, 2, n))
            if one and two and one["p95"] and two["p95"]:
                ratio = two["p95"] / one["p95"]
                print(
                    f"  {name}, {n} sessions: p95 2 replicas / 1 = {ratio:.2f} "
                    f"({'met' if ratio <= 0.7 else 'missed'}, target ≤ 0.70)"
                )
            for replicas in replica_counts:
                page, bare = results.get((name, replicas, n)), results.get((BARE, replicas, n))
                if page and bare and page["p95"] and bare["p95"]:
                    ratio = page["p95"] / bare["p95"]
                    print(
                        f"  {name}, {n} sessions, {replicas} replica(s): p95 / bare app's "
                        f"= {ratio:.2f} ({'met' if ratio <= 1.5 else 'missed'}, target ≤ 1.5)"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
