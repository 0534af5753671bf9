import pytest

VALID_ID = "11010519491231002X"


def new_user(**overrides) -> dict:
    return {"username": "clerk-new", "full_name": "新窗口", "password": "a-long-password",
            "role": "clerk", "station": "st-02", **overrides}


def test_wrong_password_gets_401_problem(client):
    response = client.post("/api/v1/auth/token",
                           data={"username": "admin", "password": "not-the-password"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_token_is_refused(client):
    response = client.get("/api/v1/users", headers={"Authorization": "Bearer not.a.token"})
    assert response.status_code == 401


def test_an_officer_cannot_read_another_departments_account(client, login):
    health_officer = client.get("/api/v1/users", headers=login("admin"),
                                params={"limit": 200}).json()
    target = next(u for u in health_officer if u["username"] == "officer-health")
    response = client.get(f"/api/v1/users/{target['id']}",
                          headers=login("officer-civil-affairs"))
    assert response.status_code == 404


def test_an_officer_reads_its_own_department(client, login):
    mine = client.get("/api/v1/users", headers=login("officer-civil-affairs")).json()
    assert [u["username"] for u in mine] == ["officer-civil-affairs"]
    response = client.get(f"/api/v1/users/{mine[0]['id']}",
                          headers=login("officer-civil-affairs"))
    assert response.status_code == 200


def test_a_street_secretary_sees_the_secretaries_of_its_communities(client, login):
    seen = {u["username"] for u in client.get("/api/v1/users", params={"limit": 200},
                                              headers=login("secretary-songyu")).json()}
    assert "secretary-songyu" in seen
    assert any(name.startswith("secretary-songyu-") for name in seen)
    assert not any(name.startswith("secretary-xinyang") for name in seen)


def test_an_auditor_cannot_write(client, login):
    response = client.post("/api/v1/users", json=new_user(), headers=login("auditor"))
    assert response.status_code == 403
    assert response.json()["title"] == "Forbidden"


def test_an_invalid_id_number_is_refused_naming_the_field(client, login):
    bad = VALID_ID[:17] + "5"
    response = client.post("/api/v1/users", json=new_user(id_number=bad),
                           headers=login("admin"))
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"field": "id_number", "in": "body", "message":
                               "not a valid citizen ID number: fails the GB 11643 check digit"}]
    assert bad not in response.text  # the number is not echoed back


def test_an_unknown_field_is_refused(client, login):
    response = client.post("/api/v1/users", json=new_user(is_superuser=True),
                           headers=login("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "is_superuser"


def test_a_clerk_account_needs_a_station(client, login):
    response = client.post("/api/v1/users", json=new_user(station=None), headers=login("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "station"


def test_an_unknown_station_is_refused_and_nothing_is_written(client, login):
    response = client.post("/api/v1/users", json=new_user(username="ghost", station="st-99"),
                           headers=login("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "station"
    trail = client.get("/api/v1/audit", params={"action": "user.created", "limit": 500},
                       headers=login("auditor")).json()
    assert "ghost" not in {e["after"]["username"] for e in trail}


@pytest.fixture(scope="module")
def created(client, login):
    response = client.post("/api/v1/users", headers=login("admin"), json=new_user(
        username="clerk-with-id", id_number=VALID_ID, phone="13812345678"))
    assert response.status_code == 201, response.text
    return response.json()


def test_creating_an_account_is_audited_without_personal_numbers(client, login, created):
    events = client.get("/api/v1/audit", headers=login("auditor"), params={
        "subject_type": "user", "subject_id": str(created["id"])}).json()
    assert [(e["action"], e["actor"]) for e in events] == [("user.created", "admin")]
    assert events[0]["after"]["id_number"] == "1101**********002X"
    assert "password" not in str(events[0]["after"])


def test_personal_numbers_are_masked_for_an_auditor_and_shown_to_an_admin(
        client, login, created):
    as_auditor = client.get(f"/api/v1/users/{created['id']}", headers=login("auditor")).json()
    as_admin = client.get(f"/api/v1/users/{created['id']}", headers=login("admin")).json()
    assert (as_auditor["id_number"], as_auditor["phone"]) == ("1101**********002X",
                                                              "138****5678")
    assert (as_admin["id_number"], as_admin["phone"]) == (VALID_ID, "13812345678")


def test_a_taken_username_is_a_409(client, login, created):
    response = client.post("/api/v1/users", headers=login("admin"),
                           json=new_user(username="clerk-with-id"))
    assert response.status_code == 409


def test_the_audit_trail_is_for_auditors(client, login):
    response = client.get("/api/v1/audit", headers=login("clerk-st-01"))
    assert response.status_code == 403
    chain = client.get("/api/v1/audit/verify", headers=login("auditor")).json()
    assert chain["intact"] is True and chain["checked"] > 0
