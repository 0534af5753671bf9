"""The OpenAPI document: what FastAPI generates, plus what it cannot know.

- Every error is an RFC 7807 problem document (api/problems.py); each operation lists the
  problems it can answer, decided here once from what the operation takes.
- A query or header parameter that is left out is absent, never `null`.
- A union told apart by a tag (`applicant.kind`) needs the tag, even where the model has a
  default for it.
"""

from fastapi import FastAPI

from api.problems import PROBLEM_JSON, PROBLEMS, Problem

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            complete(generate())  # generate() caches the document it returns
        return app.openapi_schema

    app.openapi = openapi


def complete(document: dict) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs"), Problem=problem)
    for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's 422, replaced below
        schemas.pop(name, None)
    for path_item in document["paths"].values():
        for method, operation in path_item.items():
            _document_problems(method, operation)
            for parameter in operation.get("parameters", []):
                _absent_not_null(parameter["schema"])
    for schema in schemas.values():
        _require_tags(schema, schemas)


def _document_problems(method: str, operation: dict) -> None:
    responses = operation["responses"]
    for status in _problems_for(method, operation):
        responses[str(status)] = _problem_response(status)
    for status, response in responses.items():  # e.g. /readyz's 503, declared on its route
        content = response.get("content", {})
        if int(status) >= 400 and "application/json" in content:
            content[PROBLEM_JSON] = content.pop("application/json")
    operation["responses"] = dict(sorted(responses.items()))


def _problems_for(method: str, operation: dict) -> list[int]:
    """What an operation can be refused for follows from what it takes: a token (401, 403;
    409 for a change the object's state refuses), an object named in the path (404, also when
    it is out of the caller's scope), a body (400, 413), any input at all (422)."""
    parameters, body = operation.get("parameters", []), operation.get("requestBody")
    statuses = []
    if operation.get("security"):
        statuses += [401, 403] + ([409] if method != "get" else [])
    if any(p["in"] == "path" for p in parameters):
        statuses.append(404)
    if body:
        statuses += [400, 413]
    if parameters or body:
        statuses.append(422)
    return sorted(statuses)


def _problem_response(status: int) -> dict:
    response = {"description": PROBLEMS[status], "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {
            "description": "`Bearer`: how to authenticate", "schema": {"type": "string"}}}
    return response


def _absent_not_null(schema: dict) -> None:
    """`str | None = None` becomes anyOf [string, null]; a client can only leave it out."""
    choices = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(choices) == 1 and len(schema["anyOf"]) == 2:
        del schema["anyOf"]
        schema.update(choices[0])


def _require_tags(schema: dict, schemas: dict) -> None:
    for prop in schema.get("properties", {}).values():
        tag = prop.get("discriminator", {}).get("propertyName")
        for ref in prop.get("discriminator", {}).get("mapping", {}).values():
            variant = schemas[ref.rsplit("/", 1)[-1]]
            variant["required"] = sorted({*variant.get("required", []), tag})
