"""Executes the runs of govflow's deployments inside this long-lived process.

`flow.serve()` starts a subprocess for every flow run, and every resume of a suspended case is
another run: about a second of CPU and 80 MB each, the floor under every case step. Here the
flows are imported once and each due run is executed in a thread of this process by Prefect's
own engine (`run_flow(flow, flow_run=…)`), so a step costs what the flow does plus a few API
calls. Everything else stays Prefect's: the server schedules runs (new, resumed, retried),
records their states and holds their inputs; this loop only asks it which runs are due.

Several executors (on one machine or many) can poll the same deployments: each run is claimed
by moving it Scheduled → Pending, which the server grants to one of them only. The trade-offs
(a run that hangs shares the process; a killed executor leaves its runs Running until the
reconciler re-drives them) are in docs/execution-model.md.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from uuid import UUID

from prefect import Flow
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterNextScheduledStartTime,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import Abort, Pause
from prefect.flow_engine import run_flow
from prefect.states import Pending
from prefect.utilities.engine import propose_state

log = logging.getLogger("govflow.executor")
# Prefect's runner poll (get_scheduled_flow_runs) also marks the deployments ready, a write and
# events on the server at every call: polled 4 times a second it kept an idle server at 7.5 % of
# a core, a plain filter at 4.5 % (docs/execution-model.md). The executor asks with the filter
# and makes the runner's call this often, well inside the server's 60 s before a deployment
# shows not ready.
READY_EVERY_S = 30.0


class Executor:
    def __init__(self, deployments: Iterable[tuple[Flow, RunnerDeployment]], limit: int = 16,
                 poll_seconds: float = 2.0):
        self.deployments = list(deployments)
        self.limit = limit
        self.poll_seconds = poll_seconds
        self._flows: dict[UUID, Flow] = {}
        self._running: set[UUID] = set()
        self._ready_at = 0.0  # when to ask with the runner's call again (READY_EVERY_S)
        self._wake = threading.Event()
        self._saturated = False  # the last poll found more due runs than free threads
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=limit, thread_name_prefix="flow-run")

    def serve(self, stop: threading.Event) -> None:
        """Register the deployments, then execute their due runs until `stop` is set."""
        try:
            asyncio.run(self._serve(stop))
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    async def _serve(self, stop: threading.Event) -> None:
        for flow, deployment in self.deployments:
            self._flows[await deployment.aapply()] = flow
        log.info("executing runs of %d deployments, %d at a time",
                 len(self._flows), self.limit)
        async with get_client() as client:
            while not stop.is_set():
                try:
                    await self._submit_due(client)
                except Exception:  # an outage of the server must not end the executor
                    log.exception("polling for due runs failed")
                await asyncio.to_thread(self._wake.wait, self.poll_seconds)
                self._wake.clear()

    def wake(self) -> None:
        """Runs are due now (this worker's outbox relay has just started or resumed some): ask
        at once rather than at the next poll. The poll itself is for the runs no relay here
        delivered (schedules, another worker's relay, a run started by hand), so it can be
        slow: asking 4 times a second cost the idle server 5 % of a core (bench/idle.py)."""
        self._wake.set()

    async def _submit_due(self, client: PrefectClient) -> None:
        free = self.limit - len(self._running)
        if free <= 0:
            return
        due = await self._due(client, free)
        self._saturated = len(due) >= free
        for run in sorted(due, key=lambda r: r.next_scheduled_start_time or datetime.now(UTC)):
            if run.id not in self._running and await self._claim(client, run):
                self._start(run)

    async def _due(self, client: PrefectClient, limit: int) -> list[FlowRun]:
        """The Scheduled runs of these deployments whose time has come, soonest first."""
        now = datetime.now(UTC)
        if time.monotonic() >= self._ready_at:
            self._ready_at = time.monotonic() + READY_EVERY_S
            return await client.get_scheduled_flow_runs_for_deployments(
                deployment_ids=list(self._flows), scheduled_before=now, limit=limit)
        return await client.read_flow_runs(flow_run_filter=FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=list(self._flows)),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
            next_scheduled_start_time=FlowRunFilterNextScheduledStartTime(before_=now)),
            sort=FlowRunSort.NEXT_SCHEDULED_START_TIME_ASC, limit=limit)

    async def _claim(self, client: PrefectClient, run: FlowRun) -> bool:
        """Scheduled → Pending: granted to one executor only, so no run executes twice."""
        try:
            state = await propose_state(client, Pending(), flow_run_id=run.id)
        except Abort:
            return False  # another executor claimed it first
        return state.is_pending()

    def _start(self, run: FlowRun) -> None:
        with self._lock:
            self._running.add(run.id)
        future = self._pool.submit(_execute, self._flows[run.deployment_id], run)
        future.add_done_callback(lambda _: self._finished(run.id))

    def _finished(self, run_id: UUID) -> None:
        with self._lock:
            self._running.discard(run_id)
        if self._saturated:  # runs were left waiting for a thread: ask again now
            self._wake.set()


def _execute(flow: Flow, run: FlowRun) -> None:
    """One run, start to end or to its next suspension, in this thread's own event loop (the
    flows' tasks are synchronous database work; a thread each keeps one from stalling all)."""
    try:
        asyncio.run(run_flow(flow, flow_run=run, return_type="state"))
    except Pause:  # a suspension that waits for people: the usual end of an execution
        log.debug("flow run %s suspended", run.id)
    except BaseException:  # the engine has recorded the state; the executor goes on
        log.exception("flow run %s ended with an error", run.id)
