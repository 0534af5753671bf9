"""Moving the code into one package per process changed nothing a caller of the API can see:
every operation and schema of the document published before the move is still there, word
for word. New processes add operations and schemas; they may not alter these."""

import json
from pathlib import Path

from api.app import create_app

BEFORE = json.loads((Path(__file__).parent / "openapi-before-process-packages.json")
                    .read_text(encoding="utf-8"))


def test_every_operation_published_before_the_move_is_unchanged(settings):
    now = create_app(settings).openapi()
    changed = [f"{method.upper()} {path}" for path, operations in BEFORE["paths"].items()
               for method, operation in operations.items()
               if now["paths"].get(path, {}).get(method) != operation]
    assert changed == []


def test_every_schema_published_before_the_move_is_unchanged(settings):
    now = create_app(settings).openapi()["components"]["schemas"]
    changed = [name for name, schema in BEFORE["components"]["schemas"].items()
               if now.get(name) != schema]
    assert changed == []
