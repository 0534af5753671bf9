"""Applicants for tests: fresh, valid citizen ID numbers and credit codes, each registered once
and signed in through the API, as an applicant would."""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

from policies.personal_data import id_check_char, uscc_check_char

PASSWORD = "applicant-password"
_serials = itertools.count(1)


def citizen_id() -> str:
    """A valid number never given before in this test session (Haicang's region code)."""
    serial = next(_serials)
    born = date(1960, 1, 1) + timedelta(days=serial // 900)
    first17 = f"350205{born:%Y%m%d}{serial % 900 + 100:03d}"
    return first17 + id_check_char(first17)


def credit_code() -> str:
    first17 = f"91350205{next(_serials):09d}"
    return first17 + uscc_check_char(first17)


@dataclass
class Applicant:
    headers: dict[str, str]  # its bearer token
    block: dict              # the applicant block of its applications
    number: str
    account: dict            # what registration answered


def register(client, kind: str = "person", name: str = "林晓梅") -> Applicant:
    if kind == "person":
        number, block = citizen_id(), {"kind": "person", "name": name}
        block["id_number"] = number
    else:
        number, block = credit_code(), {"kind": "enterprise", "name": "海沧某贸易有限公司"}
        block["credit_code"] = number
    block["phone"] = "13700001111"
    numbered = {"id_number": number} if kind == "person" else {"credit_code": number}
    answer = client.post("/api/v1/auth/applicants", json={
        "name": block["name"], "phone": block["phone"], "password": PASSWORD, **numbered})
    assert answer.status_code == 201, answer.text
    token = client.post("/api/v1/auth/token", data={"username": number, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return Applicant(headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                     block=block, number=number, account=answer.json())


def apply_online(client, applicant: Applicant, service, materials, **extra):
    """The applicant files for itself: no station."""
    return client.post("/api/v1/applications", headers=applicant.headers | extra.pop(
        "headers", {}), json={"service": service.code, "applicant": applicant.block,
                              "materials": materials, **extra})
