"""Filing a project through the API: a retry whose first answer was lost (a replica died, a
connection broke) gets the project the first request opened, not a second one."""

PROJECT = {"enterprise": "厦门某半导体有限公司", "credit_code": "91350100M000100Y43",
           "project": "研发楼", "land_contract_no": "XM2026-IDEM-01", "station": "st-01"}


def test_a_retry_with_the_same_key_gets_the_project_the_first_request_opened(client, login):
    clerk = login("clerk-st-01") | {"Idempotency-Key": "project-st-01-20261128-0001"}
    first = client.post("/api/v1/projects", headers=clerk, json=PROJECT)
    again = client.post("/api/v1/projects", headers=clerk, json=PROJECT)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    other = client.post("/api/v1/projects", headers=clerk, json=PROJECT | {"project": "厂房"})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


def test_without_a_key_each_filing_is_a_project(client, login):
    clerk = login("clerk-st-01")
    ids = {client.post("/api/v1/projects", headers=clerk, json=PROJECT).json()["id"]
           for _ in range(2)}
    assert len(ids) == 2
