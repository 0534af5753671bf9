def test_exactly_91_delegated_services_are_listed(client):
    body = client.get("/api/v1/catalogue/services",
                      params={"delegated": "true", "limit": 200}).json()
    assert body["total"] == 91 and len(body["items"]) == 91


def test_43_stations_and_49_departments_are_listed(client):
    assert client.get("/api/v1/catalogue/stations").json()["total"] == 43
    assert client.get("/api/v1/catalogue/departments").json()["total"] == 49


def test_every_service_names_one_of_the_49_departments(client):
    departments = {d["code"] for d in client.get("/api/v1/catalogue/departments").json()["items"]}
    services = client.get("/api/v1/catalogue/services", params={"limit": 200}).json()["items"]
    assert {s["department"] for s in services} <= departments


def test_a_service_carries_its_guide(client):
    service = client.get("/api/v1/catalogue/services/S001").json()
    guide = service["guide"]
    assert service["name_zh"] and guide["materials"] and guide["legal_basis_zh"]
    assert guide["legal_working_days"] >= guide["promised_working_days"]


def test_filters_narrow_the_list(client):
    spot = client.get("/api/v1/catalogue/services",
                      params={"on_the_spot": "true", "limit": 200}).json()
    assert 0 < spot["total"] < 91
    assert all(s["on_the_spot"] and s["guide"]["promised_working_days"] == 0
               for s in spot["items"])
    civil = client.get("/api/v1/catalogue/services", params={"department": "civil-affairs"})
    assert {s["department"] for s in civil.json()["items"]} == {"civil-affairs"}


def test_an_unknown_service_is_a_404_problem(client):
    response = client.get("/api/v1/catalogue/services/S999")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "no service 'S999' in the catalogue"


def test_the_org_tree_has_four_streets_under_the_district(client):
    streets = client.get("/api/v1/org/units", params={"level": "street"}).json()
    assert streets["total"] == 4
    assert {s["parent"] for s in streets["items"]} == {"haicang"}
    assert {s["committee_zh"] for s in streets["items"]} == {"街道大党工委"}


def test_page_sizes_are_bounded(client):
    response = client.get("/api/v1/catalogue/services", params={"limit": 1000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def test_the_due_date_skips_the_spring_festival(client):
    response = client.get("/api/v1/calendar/due-date",
                          params={"start": "2026-02-13", "working_days": 5})
    assert response.json() == {"start": "2026-02-13", "working_days": 5, "due": "2026-02-27",
                               "calendar_status": "official"}


def test_a_due_date_beyond_the_calendar_is_refused_naming_the_field(client):
    response = client.get("/api/v1/calendar/due-date",
                          params={"start": "2027-12-20", "working_days": 20})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
