"""ASGI middleware: refuse oversized bodies (413) and count requests for /metrics."""

import json
import time

from prometheus_client import CollectorRegistry, Counter, Histogram

from api.problems import PROBLEM_JSON, BodyTooLarge


class LimitBodySize:
    """Refuses a body over `max_bytes`, by its Content-Length or while it streams in."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and int(declared or 0) > self.max_bytes:
            return await self._refuse(send)
        received = 0
        started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps({"type": "about:blank", "title": "Content Too Large", "status": 413,
                           "detail": f"the request body exceeds {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class Metrics:
    """Request count and latency by route template (not raw path: ids would explode labels)."""

    def __init__(self, app, registry: CollectorRegistry):
        self.app = app
        self.requests = Counter("govflow_http_requests", "HTTP requests",
                                ["method", "route", "status"], registry=registry)
        self.latency = Histogram("govflow_http_request_seconds", "HTTP request latency",
                                 ["method", "route"], registry=registry)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def capture(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = route_template(scope)
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


def route_template(scope) -> str:
    """/api/v1/users/7 → /api/v1/users/{user_id}. Nested routers in this FastAPI version drop
    the outer prefix from scope["route"].path, so the template is rebuilt from the real path."""
    if scope.get("route") is None:
        return "unmatched"
    params = {str(v): k for k, v in scope.get("path_params", {}).items()}
    return "/".join("{" + params[seg] + "}" if seg in params else seg
                    for seg in scope["path"].split("/"))
