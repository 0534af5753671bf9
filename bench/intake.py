"""One-stop intake under 20 concurrent clients, on the embedded stack (SQLite, one API process).

- intake: `POST /api/v1/applications` (complete 马上办 applications, so each is decided in the
  same request) — throughput and p50/p99 latency;
- counter: the on-the-spot decision to the certificate being downloadable (POST, then GET the
  certificate) — p50/p95;
- baseline, same process and concurrency: `GET /api/v1/catalogue/services/{code}`, a read.

    python -m bench.intake [REQUESTS]      (make bench)
"""

import json
import statistics
import sys
import threading
import time
from pathlib import Path

import httpx

from bench.stack import embedded_stack, login

CLIENTS = 20
RESULTS = Path(__file__).parent / "results" / "intake.json"
APPLICANT = {"kind": "person", "name": "压测用户", "id_number": "11010519491231002X",
             "phone": "13812345678"}


def main(requests: int = 1000) -> dict:
    with embedded_stack() as (api, _):
        with httpx.Client(base_url=api, timeout=60) as http:
            service = next(s for s in http.get("/api/v1/catalogue/services", params={
                "on_the_spot": "true", "limit": 200}).json()["items"]
                if "person" in s["guide"]["applicant_kinds"])
            headers = login(http, "clerk-st-01")
        materials = [m["code"] for m in service["guide"]["materials"]]
        baseline = run(api, requests, lambda c, n: c.get(
            f"/api/v1/catalogue/services/{service['code']}"))
        intake = run(api, requests, lambda c, n: submit(c, headers, service, materials, n))
        counter = run(api, requests // 5, lambda c, n: certificate_after(
            c, headers, submit(c, headers, service, materials, n)))
    result = {"clients": CLIENTS, "intake": intake, "counter_to_certificate": counter,
              "baseline_catalogue_read": baseline,
              "throughput_ratio": round(intake["per_second"] / baseline["per_second"], 2)}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    return result


def submit(client: httpx.Client, headers, service, materials, n: int) -> httpx.Response:
    response = client.post("/api/v1/applications", headers=headers | {
        "Idempotency-Key": f"bench-{time.time_ns()}-{n}"}, json={
        "service": service["code"], "station": "st-01", "applicant": APPLICANT,
        "materials": materials})
    response.raise_for_status()
    return response


def certificate_after(client: httpx.Client, headers, submitted: httpx.Response):
    url = f"/api/v1/applications/{submitted.json()['id']}/documents/certificate"
    response = client.get(url, headers=headers)
    response.raise_for_status()
    return response


def run(api: str, total: int, call) -> dict:
    """`total` calls spread over CLIENTS threads, each with its own connection."""
    latencies: list[float] = []
    lock = threading.Lock()

    def client_loop(share: int, offset: int) -> None:
        with httpx.Client(base_url=api, timeout=60) as client:
            for n in range(share):
                started = time.perf_counter()
                call(client, offset + n)
                with lock:
                    latencies.append(time.perf_counter() - started)

    share = total // CLIENTS
    threads = [threading.Thread(target=client_loop, args=(share, i * share))
               for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {"requests": len(ordered), "per_second": round(len(ordered) / elapsed, 1),
            "p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * ordered[int(0.95 * len(ordered)) - 1], 1),
            "p99_ms": round(1000 * ordered[int(0.99 * len(ordered)) - 1], 1)}


def print_table(r: dict) -> None:
    print(f"\none-stop intake, {r['clients']} concurrent clients, embedded stack (SQLite)")
    print(f"{'measure':<46}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, key in [("POST /applications (马上办, decided in it)", "intake"),
                      ("decision → certificate downloadable", "counter_to_certificate"),
                      ("baseline: GET /catalogue/services/{code}", "baseline_catalogue_read")]:
        m = r[key]
        print(f"{name:<46}{m['per_second']:>8}{m['p50_ms']:>9}{m['p95_ms']:>9}{m['p99_ms']:>9}")
    print(f"intake throughput / baseline read throughput: {r['throughput_ratio']}×")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
