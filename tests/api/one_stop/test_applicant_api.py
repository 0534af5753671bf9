"""An applicant's whole visit to the API, as its OpenAPI document describes it: register, sign
in with its own number, apply online, supplement online, download the result, rate it."""

from tests.applicants import PASSWORD, citizen_id
from tests.integration.one_stop.test_intake import codes, services


def test_an_applicant_goes_from_registration_to_its_rated_certificate_online(client, db):
    number = citizen_id()
    account = client.post("/api/v1/auth/applicants", json={
        "name": "吴志明", "id_number": number, "phone": "13900006666", "password": PASSWORD})
    assert account.status_code == 201, account.text
    token = client.post("/api/v1/auth/token", data={"username": number, "password": PASSWORD})
    me = {"Authorization": f"Bearer {token.json()['access_token']}"}
    service = next(s for s in services(db, on_the_spot=True) if len(s.materials) >= 2)
    required = codes(service)
    applicant = {"kind": "person", "name": "吴志明", "id_number": number,
                 "phone": "13900006666"}

    filed = client.post("/api/v1/applications", headers=me, json={
        "service": service.code, "applicant": applicant, "materials": required[:1],
        "handling_station": "st-40"})
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert (case["channel"], case["station"], case["status"]) == (
        "online", "st-40", "awaiting_materials")
    notice = client.get(f"/api/v1/applications/{case['id']}/documents/notice", headers=me)
    assert notice.status_code == 200 and case["receipt_no"] in notice.text

    done = client.post(f"/api/v1/applications/{case['id']}/materials", headers=me,
                       json={"materials": required[1:]}).json()
    assert (done["status"], done["decided_on_the_spot"], done["visits"]) == ("approved", True, 0)
    certificate = client.get(f"/api/v1/applications/{case['id']}/documents/certificate",
                             headers=me)
    assert certificate.status_code == 200 and number not in certificate.text
    rating = client.post(f"/api/v1/applications/{case['id']}/rating", headers=me,
                         json={"grade": 5})
    assert rating.status_code == 201

    followed = client.get(f"/api/v1/applications/{case['id']}", headers=me).json()
    assert [e["action"] for e in followed["timeline"]] == [
        "application.received", "application.notice_issued", "application.supplied",
        "case.approved", "application.rated"]
    assert all(number not in str(e) for e in followed["timeline"])


def test_the_document_shows_how_applicants_register_and_apply(client):
    document = client.get("/openapi.json").json()
    register = document["paths"]["/api/v1/auth/applicants"]["post"]
    assert "security" not in register
    assert {"201", "403", "409", "422"} <= set(register["responses"])
    create = document["components"]["schemas"]["ApplicationCreate"]
    assert "station" not in create["required"]
    assert "handling_station" in create["properties"]
