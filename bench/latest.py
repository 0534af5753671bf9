"""Merge the benchmarks' results into bench/results/latest.json (what `make bench` commits),
with when and where they were measured: figures are only comparable within one run."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
PARTS = ("intake", "orchestration", "steps", "project_approval", "meetings", "volunteering",
         "grid", "idle", "capacity")


def main() -> None:
    latest = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1m_at_merge": round(os.getloadavg()[0], 2)},
    }
    for part in PARTS:
        path = RESULTS / f"{part}.json"
        if path.exists():
            latest[part] = json.loads(path.read_text())
    (RESULTS / "latest.json").write_text(json.dumps(latest, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS / 'latest.json'} ({', '.join(p for p in PARTS if p in latest)})")


if __name__ == "__main__":
    main()
