"""Moving the code into one package per process changed nothing a caller of the API can see:
every operation and schema of the document published before the move is still there, word
for word. New processes add operations and schemas; they may not alter these, except to add
values to an enumeration (a new role, a new status) or an optional parameter to an operation
(an Idempotency-Key header), which no existing caller can trip on."""

import json
from pathlib import Path

from api.app import create_app

BEFORE = json.loads((Path(__file__).parent / "openapi-before-process-packages.json")
                    .read_text(encoding="utf-8"))


def unchanged(before, now) -> bool:
    """`now` says what `before` said, its enumerations possibly with values added."""
    if isinstance(before, dict) and isinstance(now, dict):
        if "operationId" in before:  # an operation: it may gain optional parameters
            if not same_parameters(before.get("parameters", []), now.get("parameters", [])):
                return False
            before, now = ({k: v for k, v in d.items() if k != "parameters"}
                           for d in (before, now))
        if before.keys() != now.keys():
            return False
        return all(set(before[k]) <= set(now[k]) if k == "enum" else unchanged(before[k], now[k])
                   for k in before)
    if isinstance(before, list) and isinstance(now, list):
        return len(before) == len(now) and all(map(unchanged, before, now))
    return before == now


def same_parameters(before: list, now: list) -> bool:
    """The parameters published before, then perhaps new ones no caller has to send."""
    added = now[len(before):]
    return unchanged(before, now[:len(before)]) and not any(p.get("required") for p in added)


def test_every_operation_published_before_the_move_is_unchanged(settings):
    now = create_app(settings).openapi()
    changed = [f"{method.upper()} {path}" for path, operations in BEFORE["paths"].items()
               for method, operation in operations.items()
               if not unchanged(operation, now["paths"].get(path, {}).get(method))]
    assert changed == []


def test_every_schema_published_before_the_move_is_unchanged(settings):
    now = create_app(settings).openapi()["components"]["schemas"]
    changed = [name for name, schema in BEFORE["components"]["schemas"].items()
               if not unchanged(schema, now.get(name))]
    assert changed == []


def test_a_value_added_to_an_enumeration_is_compatible_and_a_removed_one_is_not():
    role = {"type": "string", "enum": ["clerk", "officer"]}
    assert unchanged(role, role | {"enum": ["clerk", "officer", "member"]})
    assert not unchanged(role, role | {"enum": ["clerk"]})
    assert not unchanged(role, role | {"type": "integer"})
