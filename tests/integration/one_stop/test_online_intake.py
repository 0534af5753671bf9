"""Applicants online (HC-11d, HC-14a): registration, the online receipt series, which station
handles an online application, and an applicant's scope — its own applications, nothing else."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from services.one_stop import applicants
from services.one_stop.applicants import VerifiedApplicant
from services.platform.db import models
from services.platform.settings import Settings
from tests.applicants import PASSWORD, apply_online, citizen_id, register
from tests.integration.one_stop.test_intake import ENTERPRISE, PERSON, codes, services


@pytest.fixture(scope="module")
def clerk(login):
    return login("clerk-st-21")


def a_service(db, **where) -> models.Service:
    return next(s for s in services(db, **where) if len(s.materials) >= 2)


def registration(**overrides) -> dict:
    return {"name": "陈国强", "id_number": citizen_id(), "phone": "13600002222",
            "password": PASSWORD, **overrides}


# Registration and sign-in

def test_a_citizen_registers_with_its_id_number_and_signs_in_with_it(client):
    applicant = register(client)
    account = applicant.account
    assert account["kind"] == "person" and account["credit_code"] is None
    assert account["id_number"] == applicant.number[:4] + "*" * 10 + applicant.number[-4:]
    assert account["phone"] == "137****1111"
    assert re.fullmatch(r"applicant-[0-9a-f]{10}", account["username"])
    assert client.get("/api/v1/applications", headers=applicant.headers).json() == []


def test_an_enterprise_registers_with_its_credit_code(client):
    applicant = register(client, kind="enterprise")
    assert (applicant.account["kind"], applicant.account["credit_code"]) == (
        "enterprise", applicant.number)
    lower = client.post("/api/v1/auth/token", data={"username": applicant.number.lower(),
                                                     "password": PASSWORD})
    assert lower.status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"id_number": "35020519800101123" + "0"}, "id_number"),
    ({"id_number": None, "credit_code": "91350205000000001" + "0"}, "credit_code"),
    ({"credit_code": "91350100M000100Y43"}, "credit_code"),  # both: which is it?
    ({"id_number": None}, "id_number"),                       # neither
    ({"phone": "12345"}, "phone"),
    ({"password": "short"}, "password"),
    ({"role": "admin"}, "role"),
])
def test_a_registration_is_refused_naming_the_field_at_fault(client, change, field):
    answer = client.post("/api/v1/auth/applicants", json=registration(**change))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    for value in change.values():
        if value and len(str(value)) == 18:
            assert value not in answer.text  # numbers are never echoed back


def test_a_second_account_for_the_same_number_is_refused(client):
    first = registration()
    assert client.post("/api/v1/auth/applicants", json=first).status_code == 201
    again = client.post("/api/v1/auth/applicants", json=first | {"password": "another-one!"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "id_number"


def test_production_refuses_self_registration(client, database_url, db):
    production = Settings(mode="production", secret_key="p" * 40, database_url=database_url,
                          prefect_api_url="http://127.0.0.1:9/api")
    data = registration()
    with TestClient(create_app(production)) as app:
        answer = app.post("/api/v1/auth/applicants", json=data)
    assert answer.status_code == 403
    assert "provincial identity" in answer.json()["detail"]
    with db.reading() as uow:
        assert uow.session.scalar(select(func.count()).select_from(models.User).where(
            models.User.applicant_number == data["id_number"])) == 0


def test_the_provincial_identity_seam_opens_an_account_once_and_keeps_it_current(db):
    number = citizen_id()
    first = applicants.account_from_provincial_identity(db, VerifiedApplicant(
        name="黄美玲", id_number=number, phone="13500003333"))
    again = applicants.account_from_provincial_identity(db, VerifiedApplicant(
        name="黄美玲", id_number=number, phone="13500004444"))
    assert (first.role.value, first.applicant_number) == ("applicant", number)
    assert again.username == first.username
    with db.reading() as uow:
        user = uow.session.scalar(select(models.User).where(
            models.User.applicant_number == number))
        assert user.phone == "13500004444"


def test_an_administrator_does_not_create_applicant_accounts(client, login):
    answer = client.post("/api/v1/users", headers=login("admin"), json={
        "username": "someone", "full_name": "某人", "password": "a-long-password",
        "role": "applicant"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "role"


# Filing online

def test_online_receipts_have_a_series_of_their_own_apart_from_the_stations(client, db, clerk):
    service = a_service(db, on_the_spot=False)
    applicant = register(client)
    first = apply_online(client, applicant, service, []).json()
    at_the_counter = client.post("/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-21", "applicant": PERSON, "materials": []})
    second = apply_online(client, applicant, service, []).json()
    assert re.fullmatch(r"online-\d{8}-\d{4}", first["receipt_no"])
    assert re.fullmatch(r"st-21-\d{8}-\d{4}", at_the_counter.json()["receipt_no"])
    serial = int(first["receipt_no"].rsplit("-", 1)[1])
    assert second["receipt_no"] == f"{first['receipt_no'][:-4]}{serial + 1:04d}"
    assert (first["channel"], at_the_counter.json()["channel"]) == ("online", "station")


def test_an_online_application_is_handled_by_the_station_the_applicant_chose(client, db):
    service = a_service(db, on_the_spot=False)
    applicant = register(client)
    chosen = apply_online(client, applicant, service, [], handling_station="st-30").json()
    default = apply_online(client, applicant, service, []).json()
    assert (chosen["station"], default["station"]) == ("st-30", "st-01")


def test_an_applicant_files_for_itself_only(client, db):
    applicant, someone_else = register(client), register(client)
    service = a_service(db)
    answer = client.post("/api/v1/applications", headers=applicant.headers, json={
        "service": service.code, "applicant": someone_else.block, "materials": []})
    assert answer.status_code == 403
    assert answer.json()["errors"][0]["field"] == "applicant.id_number"
    assert someone_else.number not in answer.text
    enterprise_service = next(s for s in services_for_enterprises(db))
    as_enterprise = client.post("/api/v1/applications", headers=applicant.headers, json={
        "service": enterprise_service.code, "applicant": ENTERPRISE, "materials": []})
    assert as_enterprise.json()["errors"][0]["field"] == "applicant.credit_code"


def services_for_enterprises(db) -> list[models.Service]:
    with db.reading() as uow:
        return [s for s in uow.session.scalars(select(models.Service).order_by(
            models.Service.code)) if "enterprise" in s.applicant_kinds]


@pytest.mark.parametrize(("who", "extra", "field"), [
    ("applicant", {"station": "st-21"}, "station"),
    ("applicant", {"handling_station": "st-99"}, "handling_station"),
    ("clerk", {}, "station"),
    ("clerk", {"station": "st-21", "handling_station": "st-21"}, "handling_station"),
])
def test_each_channel_names_its_own_station_field(client, db, clerk, who, extra, field):
    service = a_service(db)
    if who == "applicant":
        applicant = register(client)
        headers, block = applicant.headers, applicant.block
    else:
        headers, block = clerk, PERSON
    answer = client.post("/api/v1/applications", headers=headers, json={
        "service": service.code, "applicant": block, "materials": [], **extra})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == field


def test_an_idempotency_key_works_online_as_at_the_counter(client, db):
    service = a_service(db)
    applicant = register(client)
    key = {"headers": {"Idempotency-Key": f"online-{applicant.number}"}}
    first = apply_online(client, applicant, service, [], **dict(key))
    retry = apply_online(client, applicant, service, [], **dict(key))
    other = apply_online(client, applicant, service, codes(service)[:1], **dict(key))
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["receipt_no"] == first.json()["receipt_no"]
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"


# Scope: its own applications, nothing else

def test_an_applicant_sees_only_its_own_applications(client, db):
    service = a_service(db)
    mine, theirs = register(client), register(client)
    own = apply_online(client, mine, service, []).json()
    other = apply_online(client, theirs, service, []).json()
    listed = client.get("/api/v1/applications", headers=mine.headers).json()
    assert [a["id"] for a in listed] == [own["id"]]
    assert listed[0]["applicant"]["id_number"] == mine.number  # its own, in full
    base = f"/api/v1/applications/{other['id']}"
    answers = [client.get(base, headers=mine.headers),
               client.get(f"{base}/documents/notice", headers=mine.headers),
               client.post(f"{base}/materials", headers=mine.headers,
                           json={"materials": codes(service)}),
               client.post(f"{base}/rating", headers=mine.headers, json={"grade": 1})]
    assert [a.status_code for a in answers] == [404, 404, 404, 404]


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/audit", "/api/v1/work-items",
                                  "/api/v1/dashboard/one-stop", "/api/v1/audit/verify"])
def test_an_applicant_never_sees_the_staffs_work(client, path):
    applicant = register(client)
    answer = client.get(path, headers=applicant.headers)
    assert answer.status_code == 403, answer.text


def test_an_applicant_does_not_read_its_application_as_a_staff_case(client, db):
    applicant = register(client)
    own = apply_online(client, applicant, a_service(db), []).json()
    assert client.get(f"/api/v1/cases/{own['id']}", headers=applicant.headers
                      ).status_code == 403


def test_what_was_filed_at_a_counter_is_found_online_by_the_applicant(client, db, clerk):
    number = citizen_id()
    filed = client.post("/api/v1/applications", headers=clerk, json={
        "service": a_service(db).code, "station": "st-21",
        "applicant": PERSON | {"id_number": number}, "materials": []}).json()
    applicant = register_with(client, number)
    assert [a["receipt_no"] for a in client.get("/api/v1/applications",
                                                headers=applicant).json()] == [
        filed["receipt_no"]]


def register_with(client, number: str) -> dict:
    assert client.post("/api/v1/auth/applicants", json=registration(id_number=number)
                       ).status_code == 201
    token = client.post("/api/v1/auth/token", data={"username": number, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_the_handling_stations_clerk_serves_an_online_application_and_no_other(
        client, db, login):
    applicant = register(client)
    own = apply_online(client, applicant, a_service(db), [], handling_station="st-21").json()
    url = f"/api/v1/applications/{own['id']}"
    assert client.get(url, headers=login("clerk-st-21")).json()["applicant"]["id_number"] == (
        applicant.number)
    assert client.get(url, headers=login("clerk-st-22")).status_code == 404
    assert client.get(url, headers=login("auditor")).json()["applicant"]["id_number"] != (
        applicant.number)


# Supplement, result, visits, rating: online

def test_missing_materials_are_supplied_online_without_a_visit(client, db):
    service = a_service(db, on_the_spot=False)
    applicant = register(client)
    required = codes(service)
    filed = apply_online(client, applicant, service, required[:1]).json()
    assert filed["notice"] == required[1:]
    notice = client.get(f"/api/v1/applications/{filed['id']}/documents/notice",
                        headers=applicant.headers)
    assert notice.status_code == 200 and "一次性告知书" in notice.text
    supplied = client.post(f"/api/v1/applications/{filed['id']}/materials",
                           headers=applicant.headers, json={"materials": required[1:]}).json()
    assert (supplied["status"], supplied["missing"], supplied["visits"]) == (
        "in_progress", [], 0)


def test_a_no_meeting_application_made_online_ends_with_no_visit_and_a_certificate(client, db):
    service = next(s for s in services(db, on_the_spot=True) if s.no_meeting)
    applicant = register(client)
    done = apply_online(client, applicant, service, codes(service)).json()
    assert (done["status"], done["visits"]) == ("approved", 0)
    certificate = client.get(f"/api/v1/applications/{done['id']}/documents/certificate",
                             headers=applicant.headers)
    assert certificate.status_code == 200
    assert done["receipt_no"] in certificate.text and applicant.number not in certificate.text
    rated = client.post(f"/api/v1/applications/{done['id']}/rating",
                        headers=applicant.headers, json={"grade": 5})
    assert rated.status_code == 201


def test_an_applicant_does_not_record_visits(client, db):
    service = services(db, on_the_spot=True)[0]
    applicant = register(client)
    done = apply_online(client, applicant, service, codes(service)).json()
    answer = client.post(f"/api/v1/applications/{done['id']}/visits",
                         headers=applicant.headers, json={"purpose": "自己记一次"})
    assert answer.status_code == 403


def test_the_dashboard_reports_online_applications_as_a_channel_of_their_own(client, db, login):
    def online_row() -> dict:
        board = client.get("/api/v1/dashboard/one-stop", headers=login("auditor")).json()
        assert {row["key"] for row in board["by_channel"]} <= {"station", "online"}
        return next((r for r in board["by_channel"] if r["key"] == "online"),
                    {"received": 0, "decided_on_the_spot": 0})

    before = online_row()
    service = next(s for s in services(db, on_the_spot=True) if s.no_meeting)
    apply_online(client, register(client), service, codes(service))
    after = online_row()
    assert (after["received"], after["decided_on_the_spot"]) == (
        before["received"] + 1, before["decided_on_the_spot"] + 1)
    assert after["share_zero_visits"] is not None
