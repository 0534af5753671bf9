"""The one place services/ talks to Prefect: over its HTTP API, never importing flows/."""

import httpx


def prefect_reachable(api_url: str, timeout: float = 2.0) -> tuple[bool, str]:
    try:
        response = httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout)
    except httpx.HTTPError as exc:
        return False, f"unreachable: {type(exc).__name__}"
    if response.status_code != 200:
        return False, f"answered {response.status_code}"
    return True, "ok"
