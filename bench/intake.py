"""One-stop intake under 20 and 50 concurrent clients, on SQLite (the embedded default) and on
PostgreSQL, against a bare insert of the same case row served by the same process.

- intake: `POST /api/v1/applications` (complete 马上办 applications, so each is decided in the
  same request: validation, token and account, receipt number, case, audit events, outbox,
  idempotency key) — throughput and p50/p99 latency, at 20 and 50 clients and, for the
  service time without a queue, at 1;
- baseline, same uvicorn process, database, concurrency and run: `POST /bench/bare/applications`
  (bench/bare.py), FastAPI + SQLAlchemy inserting the same case row through the project's own
  `Database` and nothing else. Bare and govflow alternate in rounds so both see the same noise;
- counter: the on-the-spot decision to the certificate being downloadable (POST, then GET the
  certificate) — p50/p95, against the bare insert followed by reading its row back.

Each client is a clerk of its own station (client i at station i mod 43), with its own
keep-alive connection. The API is one uvicorn process, as `govflow up` runs it; PostgreSQL
gets a scratch database (GOVFLOW_BENCH_POSTGRES_URL), dropped at the end.

    python -m bench.intake [REQUESTS] [sqlite,postgresql]      (make bench)
"""

import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.stack import api_server, login

CLIENT_COUNTS = (1, 20, 50)  # 1: the service time, with no queue in front of it
ROUNDS = 2  # bare and govflow alternate, each round a share of the requests
STATIONS = 43
GOAL_P99_MS, GOAL_THROUGHPUT_RATIO = 50, 0.7
POSTGRES_URL = os.environ.get("GOVFLOW_BENCH_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/govflow_bench")
RESULTS = Path(__file__).parent / "results" / "intake.json"
APPLICANT = {"kind": "person", "name": "压测用户", "id_number": "11010519491231002X",
             "phone": "13812345678"}
BARE = "/bench/bare/applications"


def main(requests: int = 1000, dialects: tuple[str, ...] = ("sqlite", "postgresql")) -> dict:
    result: dict = {"requests_per_measure": requests, "requests_at_1_client": requests // 5,
                    "counter_latency": {}}
    for dialect in dialects:
        with business_database(dialect) as url:
            if url is None:
                print(f"{dialect}: skipped, no server at {urlsplit(POSTGRES_URL).netloc}")
                continue
            with api_server(url) as (api, _):
                workload = Workload.prepare(api)
                result[dialect] = {f"clients_{n}": compare(
                    workload, n, requests if n > 1 else requests // 5) for n in CLIENT_COUNTS}
                result["counter_latency"][dialect] = counter(workload, 20, requests // 5)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    return result


@contextmanager
def business_database(dialect: str):
    """A fresh business database; None if PostgreSQL does not answer."""
    if dialect == "sqlite":
        with tempfile.TemporaryDirectory(prefix="govflow-bench-") as scratch:
            yield f"sqlite:///{Path(scratch) / 'govflow.db'}"
        return
    import psycopg

    target = urlsplit(POSTGRES_URL)
    name = target.path.lstrip("/")
    admin = target._replace(scheme="postgresql", path="/postgres").geturl()
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        yield None
        return
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_URL
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Workload:
    """What the clients send: a complete application for an on-the-spot service."""

    def __init__(self, api: str, service: dict, tokens: list[dict[str, str]]):
        self.api, self.service, self.tokens = api, service, tokens
        self.materials = [m["code"] for m in service["guide"]["materials"]]

    @classmethod
    def prepare(cls, api: str) -> "Workload":
        with httpx.Client(base_url=api, timeout=60) as http:
            service = next(s for s in http.get("/api/v1/catalogue/services", params={
                "on_the_spot": "true", "limit": 200}).json()["items"]
                if "person" in s["guide"]["applicant_kinds"])
            tokens = [login(http, f"clerk-{station(i)}") for i in range(STATIONS)]
        return cls(api, service, tokens)

    def body(self, client: int) -> dict:
        return {"service": self.service["code"], "station": station(client),
                "applicant": APPLICANT, "materials": self.materials}

    def submit(self, conn: "Connection", client: int, n: int) -> dict:
        return conn.call("POST", "/api/v1/applications", self.body(client), headers=self.tokens[
            client % STATIONS] | {"Idempotency-Key": f"bench-{time.time_ns()}-{client}-{n}"})

    def bare_insert(self, conn: "Connection", client: int, n: int) -> dict:
        return conn.call("POST", BARE, self.body(client) | {
            "department": self.service["department"]})

    def certificate(self, conn: "Connection", client: int, n: int) -> None:
        case = self.submit(conn, client, n)
        conn.call("GET", f"/api/v1/applications/{case['id']}/documents/certificate",
                  headers=self.tokens[client % STATIONS])

    def bare_read_back(self, conn: "Connection", client: int, n: int) -> None:
        conn.call("GET", f"{BARE}/{self.bare_insert(conn, client, n)['id']}")


def station(i: int) -> str:
    return f"st-{i % STATIONS + 1:02d}"


def compare(w: Workload, clients: int, requests: int) -> dict:
    measured = alternate(w, clients, requests, govflow=w.submit, bare=w.bare_insert)
    g, b = measured["govflow"], measured["bare"]
    return measured | {
        "ratio": {"throughput": round(g["per_second"] / b["per_second"], 2),
                  "p50": round(g["p50_ms"] / b["p50_ms"], 2),
                  "p99": round(g["p99_ms"] / b["p99_ms"], 2)},
        "goal_met": {f"p99_le_{GOAL_P99_MS}ms": g["p99_ms"] <= GOAL_P99_MS,
                     f"throughput_ge_{GOAL_THROUGHPUT_RATIO}x_bare":
                         g["per_second"] >= GOAL_THROUGHPUT_RATIO * b["per_second"]}}


def counter(w: Workload, clients: int, requests: int) -> dict:
    measured = alternate(w, clients, requests, govflow=w.certificate, bare=w.bare_read_back)
    g, b = measured["govflow"], measured["bare"]
    return {"clients": clients} | measured | {
        "ratio": {"p50": round(g["p50_ms"] / b["p50_ms"], 2),
                  "p95": round(g["p95_ms"] / b["p95_ms"], 2)}}


def alternate(w: Workload, clients: int, requests: int, **calls) -> dict:
    """Each call measured in ROUNDS rounds taken in turn; latencies pooled per call."""
    latencies: dict[str, list[float]] = {name: [] for name in calls}
    elapsed = dict.fromkeys(calls, 0.0)
    for _ in range(ROUNDS):
        for name, call in calls.items():
            took, seconds = load(w.api, clients, requests // ROUNDS, call)
            latencies[name] += took
            elapsed[name] += seconds
    return {name: summary(latencies[name], elapsed[name]) for name in calls}


def load(api: str, clients: int, total: int, call) -> tuple[list[float], float]:
    """`total` calls spread over `clients` threads, each with its own connection, after one
    warm-up call each; returns the latencies and the wall time of the timed part."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    share = max(1, total // clients)

    def client_loop(client: int) -> None:
        conn = Connection(api)
        call(conn, client, -1)
        start.wait()
        for n in range(share):
            began = time.perf_counter()
            call(conn, client, n)
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
        conn.close()

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    return latencies, time.perf_counter() - began


def summary(latencies: list[float], elapsed: float) -> dict:
    ordered = sorted(latencies)
    return {"requests": len(ordered), "per_second": round(len(ordered) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * ordered[int(0.95 * len(ordered)) - 1], 1),
            "p99_ms": round(1000 * ordered[int(0.99 * len(ordered)) - 1], 1)}


class Connection:
    """A keep-alive HTTP/1.1 connection (http.client: far less client CPU than httpx, which
    matters when the client shares 2 cores with the server)."""

    def __init__(self, api: str):
        url = urlsplit(api)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def call(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None):
        payload = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=payload, headers={
            "Content-Type": "application/json"} | (headers or {}))
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:500]!r}")
        is_json = response.getheader("content-type", "").startswith("application/json")
        return json.loads(data) if is_json else data

    def close(self) -> None:
        self.conn.close()


def print_table(r: dict) -> None:
    print(f"\none-stop intake, one API process, {r['requests_per_measure']} requests a measure; "
          f"ratio = govflow / bare (same process, database and run)")
    print(f"{'':<34}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}   "
          f"goals: p99 ≤ {GOAL_P99_MS} ms, ≥ {GOAL_THROUGHPUT_RATIO}× bare req/s")
    for dialect in ("sqlite", "postgresql"):
        for level, m in r.get(dialect, {}).items():
            clients = level.removeprefix("clients_")
            g, b, ratio = m["govflow"], m["bare"], m["ratio"]
            met = " ".join(f"{k}={'yes' if v else 'NO'}" for k, v in m["goal_met"].items())
            print(f"{dialect}, {clients} client{'' if clients == '1' else 's'}")
            print(f"{'  POST /applications (govflow)':<34}{g['per_second']:>8}"
                  f"{g['p50_ms']:>8}{g['p99_ms']:>8}   {met}")
            print(f"{'  bare insert (baseline)':<34}{b['per_second']:>8}"
                  f"{b['p50_ms']:>8}{b['p99_ms']:>8}")
            print(f"{'  ratio':<34}{ratio['throughput']:>7}×{ratio['p50']:>7}×"
                  f"{ratio['p99']:>7}×")
    for dialect, m in r["counter_latency"].items():
        g, b = m["govflow"], m["bare"]
        print(f"\ncounter, {dialect}, {m['clients']} clients{'':<8}{'p50 ms':>8}{'p95 ms':>8}")
        print(f"{'  decision → certificate (govflow)':<34}{g['p50_ms']:>8}{g['p95_ms']:>8}")
        print(f"{'  bare insert → read back':<34}{b['p50_ms']:>8}{b['p95_ms']:>8}")
        print(f"{'  ratio':<34}{m['ratio']['p50']:>7}×{m['ratio']['p95']:>7}×")


if __name__ == "__main__":
    chosen = tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else ("sqlite", "postgresql")
    if not set(chosen) <= {"sqlite", "postgresql"}:
        sys.exit(__doc__.rsplit("\n\n", 1)[-1])
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, chosen)
