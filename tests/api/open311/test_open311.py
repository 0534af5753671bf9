"""Open311 GeoReport v2 over the grid intake, with the spec's own example payloads (wiki.open311.org
/GeoReport_v2: POST Service Request, GET Service Requests) adapted to a Haicang grid: the field
names, the form encoding and the extra fields the spec allows are the spec's."""

from tests.api.grid.conftest import G01, ensure_grid_member


def spec_example(token: str) -> dict:
    """The spec's POST example, with our service code, grid attribute and a Chinese mobile."""
    return {"api_key": token, "jurisdiction_id": "haicang.gov.cn", "service_code": "drain-blocked",
            "lat": "24.48530", "long": "118.03210", "address_string": "沧江花园1号楼东侧",
            "email": "smit333@example.com", "device_id": "tt222111", "account_id": "123456",
            "first_name": "john", "last_name": "smith", "phone": "13800138000",
            "description": "A large sinkhole is destroying the street",
            "media_url": "http://media.example.com/image.jpg",
            "attribute[grid]": G01, "attribute[building]": "沧江花园1号楼"}


def token_of(client, db) -> str:
    username = ensure_grid_member(db, "grid-g01-open311", G01)
    answer = client.post("/api/v1/auth/token",
                         data={"username": username, "password": "test-demo-password"})
    return answer.json()["access_token"]


def test_services_list_the_categories_with_the_spec_fields(client):
    services = client.get("/open311/v2/services.json").json()
    drain = next(s for s in services if s["service_code"] == "drain-blocked")
    assert set(drain) == {"service_code", "service_name", "description", "metadata", "type",
                          "keywords", "group"}
    assert (drain["service_name"], drain["metadata"], drain["type"]) == (
        "下水道堵塞", True, "realtime")


def test_a_service_definition_asks_for_the_grid(client):
    definition = client.get("/open311/v2/services/drain-blocked.json").json()
    grid = next(a for a in definition["attributes"] if a["code"] == "grid")
    assert grid["required"] and grid["datatype"] == "singlevaluelist"
    assert {"key": G01, "name": "海沧社区第一网格"} in grid["values"]
    assert client.get("/open311/v2/services/ufo.json").status_code == 404


def test_the_spec_example_is_filed_and_read_back(client, db):
    posted = client.post("/open311/v2/requests.json", data=spec_example(token_of(client, db)))
    assert posted.status_code == 200, posted.text
    [receipt] = posted.json()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    assert "海沧区水利局" in receipt["service_notice"]

    [request] = client.get(f"/open311/v2/requests/{receipt['service_request_id']}.json").json()
    assert (request["status"], request["service_code"], request["agency_responsible"]) == (
        "open", "drain-blocked", "海沧区水利局")
    assert request["expected_datetime"].endswith("T23:59:59+08:00")
    assert (request["lat"], request["long"], request["address"]) == (
        24.4853, 118.0321, "沧江花园1号楼东侧")
    assert "13800138000" not in str(request)  # no contact in what anyone may read
    for field in ("status_notes", "service_name", "description", "service_notice",
                  "requested_datetime", "updated_datetime", "address_id", "zipcode",
                  "media_url"):
        assert field in request

    listed = client.get("/open311/v2/requests.json", params={
        "service_code": "drain-blocked", "status": "open"}).json()
    assert receipt["service_request_id"] in [r["service_request_id"] for r in listed]
    closed = client.get("/open311/v2/requests.json", params={"status": "closed",
                        "service_request_id": receipt["service_request_id"]}).json()
    assert closed == []


def test_a_closed_issue_reads_closed_with_its_notes(client, db, login):
    token = token_of(client, db)
    [receipt] = client.post("/open311/v2/requests.json", data=spec_example(token)).json()
    issue = receipt["service_request_id"]
    member = {"Authorization": f"Bearer {token}"}
    for who, what, body in [
            (login("officer-water"), "resolution", {"result": "已疏通"}),
            (login("secretary-haicang-street-haicang"), "supervision",
             {"passed": True, "method": "on-site"}),
            (member, "feedback", {"message": "下水道已疏通"}),
            (member, "evaluation", {"rating": "satisfied"})]:
        assert client.post(f"/api/v1/issues/{issue}/{what}", headers=who,
                           json=body).status_code == 200
    [request] = client.get(f"/open311/v2/requests/{issue}.json").json()
    assert request["status"] == "closed" and "下水道已疏通" in request["status_notes"]


def test_errors_are_the_spec_list_of_code_and_description(client, db):
    token = token_of(client, db)
    bad_key = client.post("/open311/v2/requests.json", data=spec_example("xyz"))
    assert bad_key.status_code == 403 and bad_key.json()[0]["code"] == 403
    nowhere = {k: v for k, v in spec_example(token).items()
               if k not in ("lat", "long", "address_string")}
    assert client.post("/open311/v2/requests.json", data=nowhere).status_code == 400
    bad_phone = client.post("/open311/v2/requests.json",
                            data=spec_example(token) | {"phone": "111111111"})
    assert bad_phone.status_code == 400 and bad_phone.json()[0]["description"].startswith(
        "phone")
    no_grid = client.post("/open311/v2/requests.json",
                          data=spec_example(token) | {"attribute[grid]": "nowhere"})
    assert no_grid.status_code == 400
    assert no_grid.json()[0]["description"].startswith("attribute[grid]")
    assert client.get("/open311/v2/requests/999999.json").status_code == 404
