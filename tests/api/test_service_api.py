"""Behaviour every endpoint shares: problems, limits, health and metrics."""


def test_an_oversized_body_gets_413(client, login):
    response = client.post("/api/v1/users", headers=login("admin") | {
        "content-type": "application/json"}, content=b"{" + b" " * 1_100_000 + b"}")
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


def test_a_malformed_json_body_is_a_422_problem(client, login):
    response = client.post("/api/v1/users", headers=login("admin") | {
        "content-type": "application/json"}, content=b'{"username": ')
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_liveness_answers_without_dependencies(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readiness_names_what_is_not_ready(client):
    # The test settings point at a Prefect server that does not exist.
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = {c["name"]: c["ok"] for c in response.json()["checks"]}
    assert checks == {"database": True, "reference_data": True, "prefect": False}


def test_metrics_count_requests_by_route_template(client):
    client.get("/api/v1/catalogue/services/S001")
    text = client.get("/metrics").text
    assert 'method="GET",route="/api/v1/catalogue/services/{code}",status="200"' in text
    assert 'route="/api/v1/catalogue/services/S001"' not in text
