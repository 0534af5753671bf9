"""The one place services/ talks to Prefect: its REST API, never importing flows/.

Used by the outbox relay (start a deployment, resume a run with a decision) and by readiness.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx

RETRIES = 5


class Delivery(StrEnum):
    DELIVERED = "delivered"
    NOT_YET = "not_yet"          # the run has not suspended at that step yet: try again later
    UNDELIVERABLE = "undeliverable"  # the run ended without it: the reconciler's business


@dataclass(frozen=True)
class RunState:
    type: str  # Prefect's state type: SCHEDULED, PENDING, RUNNING, PAUSED, COMPLETED, …
    since: datetime


ENDED_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


class OrchestrationError(Exception):
    """Prefect could not be reached or refused in a way worth retrying."""


def prefect_reachable(api_url: str, timeout: float = 2.0) -> tuple[bool, str]:
    try:
        response = httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout)
    except httpx.HTTPError as exc:
        return False, f"unreachable: {type(exc).__name__}"
    if response.status_code != 200:
        return False, f"answered {response.status_code}"
    return True, "ok"


class Prefect:
    def __init__(self, api_url: str, timeout: float = 10.0):
        self.client = httpx.Client(base_url=api_url.rstrip("/"), timeout=timeout)

    def start(self, deployment: str, parameters: dict[str, Any], idempotency_key: str) -> str:
        """Create a flow run of `flow/deployment`; the same key always gives the same run."""
        found = self._call("GET", f"/deployments/name/{deployment}")
        run = self._call("POST", f"/deployments/{found['id']}/create_flow_run",
                         json={"parameters": parameters, "idempotency_key": idempotency_key})
        return run["id"]

    def resume(self, flow_run_id: str, pause_key: str, run_input: dict[str, Any]) -> Delivery:
        """Resume the run suspended at `pause_key` with `run_input`, at most once."""
        run = self._call("GET", f"/flow_runs/{flow_run_id}")
        state = run.get("state") or {}
        if state.get("type") == "PAUSED" and state["state_details"].get("pause_key") == pause_key:
            answer = self._call("POST", f"/flow_runs/{flow_run_id}/resume",
                                json={"run_input": run_input})
            if answer["status"] == "ACCEPT":
                return Delivery.DELIVERED
            raise OrchestrationError(f"resume refused: {answer.get('details')}")
        if self._has_input(flow_run_id, pause_key):
            return Delivery.DELIVERED  # delivered before; the relay stopped before marking it
        if state.get("type") in ENDED_STATES:
            return Delivery.UNDELIVERABLE
        return Delivery.NOT_YET

    def state(self, flow_run_id: str) -> str | None:
        return (self._call("GET", f"/flow_runs/{flow_run_id}").get("state") or {}).get("type")

    def run_states(self, flow_run_ids: list[str]) -> dict[str, RunState]:
        """The state of each run Prefect knows, and since when (one call per 200 runs)."""
        states = {}
        for start in range(0, len(flow_run_ids), 200):
            batch = flow_run_ids[start:start + 200]
            runs = self._call("POST", "/flow_runs/filter", json={
                "flow_runs": {"id": {"any_": batch}}, "limit": len(batch)})
            for run in runs:
                state = run.get("state") or {}
                since = state.get("timestamp")
                states[run["id"]] = RunState(
                    type=state.get("type", "SCHEDULED"),
                    since=datetime.fromisoformat(since) if since else datetime.now(UTC))
        return states

    def has_deployment(self, deployment: str) -> bool:
        return self._request("GET", f"/deployments/name/{deployment}").status_code == 200

    def cancel(self, flow_run_id: str) -> None:
        """Stop a run for good (a case moved to another process version, or re-driven)."""
        response = self._request("GET", f"/flow_runs/{flow_run_id}")
        if response.status_code == 404:
            return  # Prefect no longer knows the run: nothing left to stop
        if response.status_code >= 400:
            raise OrchestrationError(f"GET flow run {flow_run_id}: {response.status_code}")
        if (response.json().get("state") or {}).get("type") in ENDED_STATES:
            return
        self._call("POST", f"/flow_runs/{flow_run_id}/set_state", json={
            "state": {"type": "CANCELLED", "message": "moved to another process version"},
            "force": True})

    def _has_input(self, flow_run_id: str, pause_key: str) -> bool:
        key = f"suspended-{pause_key}-response"
        response = self._request("GET", f"/flow_runs/{flow_run_id}/input/{key}")
        if response.status_code not in (200, 404):  # busy or broken: not an answer either way
            raise OrchestrationError(f"GET input of {flow_run_id}: {response.status_code}")
        return response.status_code == 200

    def _call(self, method: str, path: str, **kwargs) -> dict[str, Any]:
        response = self._request(method, path, **kwargs)
        if response.status_code >= 400:
            raise OrchestrationError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response:
        """Retries what Prefect's own client retries: 503 (its database busy) and 429."""
        for attempt in range(RETRIES):
            try:
                response = self.client.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise OrchestrationError(f"{method} {path}: {type(exc).__name__}") from exc
            if response.status_code not in (429, 503) or attempt == RETRIES - 1:
                return response
            time.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Prefect":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
