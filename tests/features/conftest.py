"""Shared step state: what the last 当 (When) step read, for the 那么 (Then) steps to check."""

import pytest


@pytest.fixture
def seen() -> dict:
    return {}


def get_all(client, path: str, **params) -> list[dict]:
    """Every item of a paged list endpoint."""
    items, offset = [], 0
    while True:
        page = client.get(path, params=params | {"limit": 200, "offset": offset}).json()
        items += page["items"]
        offset += page["limit"]
        if offset >= page["total"]:
            return items
