"""The joint-meeting bodies and their members (QL-09, HC-01, LK-01), checked against the org
tree at load: one body per district, street and community unit; every street committee's first
secretary sits on the district standing committee (HC-01); street and community committees
have full-time and part-time members (QL-09); registered municipal leaders (双报到, LK-01) are
invited to their community's meetings."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.reference import Code, OrgUnit

Level = Literal["district", "street", "community"]
MEETING_LEVELS: tuple[Level, ...] = ("district", "street", "community")
BODY_NAME_OF_LEVEL = {"district": "区党建联席会议", "street": "街道大党工委联席会议",
                      "community": "社区大党委联席会议"}


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Member(_Entry):
    person: Code
    name_zh: str
    kind: Literal["full-time", "part-time"]
    role: Literal["first-secretary", "secretary", "member"] = "member"
    unit_zh: str  # the unit the member represents
    term_from: date
    term_to: date | None = None
    account: str | None = None  # the govflow account that acts for the member

    def serves_on(self, day: date) -> bool:
        return self.term_from <= day and (self.term_to is None or day <= self.term_to)


class RegisteredLeader(_Entry):
    """A municipal leader registered with a community (双报到, LK-01)."""

    person: Code
    name_zh: str
    unit_zh: str
    registered_from: date
    registered_to: date | None = None

    def registered_on(self, day: date) -> bool:
        return self.registered_from <= day and (
            self.registered_to is None or day <= self.registered_to)


class BodyEntry(_Entry):
    code: str
    members: list[Member] = Field(min_length=1)
    registered_leaders: list[RegisteredLeader] = []


class BodiesFile(_Entry):
    district_standing_committee: list[Code] = Field(min_length=1)
    bodies: list[BodyEntry]


class Invitee(BaseModel):
    person: str
    name_zh: str
    kind: Literal["full-time", "part-time", "registered-leader"]
    role: str
    unit_zh: str
    account: str | None


class Body(_Entry):
    code: str
    name_zh: str
    level: Level
    parent: str | None
    members: tuple[Member, ...]
    registered_leaders: tuple[RegisteredLeader, ...] = ()

    def invitation_list(self, day: date) -> list[Invitee]:
        """QL-09: full-time and part-time members serving that day; LK-01: the leaders
        registered with the community that day."""
        members = [Invitee(kind=m.kind, **m.model_dump(include={
            "person", "name_zh", "role", "unit_zh", "account"})) for m in self.members
            if m.serves_on(day)]
        leaders = [Invitee(kind="registered-leader", role="leader", account=None,
                           **lead.model_dump(include={"person", "name_zh", "unit_zh"}))
                   for lead in self.registered_leaders if lead.registered_on(day)]
        return members + leaders

    def accounts_on(self, day: date) -> set[str]:
        return {m.account for m in self.members if m.account and m.serves_on(day)}


def build_bodies(data: BodiesFile, units: list[OrgUnit]) -> list[Body]:
    """The bodies, or ValueError naming the body and what is wrong."""
    by_code = {u.code: u for u in units if u.level in MEETING_LEVELS}
    entries = {b.code: b for b in data.bodies}
    problems = [f"bodies: no body for {u.level} '{code}' ({u.name_zh})"
                for code, u in by_code.items() if code not in entries]
    problems += [f"bodies: '{code}' is not a district, street or community of org.yaml"
                 for code in entries if code not in by_code]
    for code, entry in entries.items():
        if code in by_code:
            problems += [f"bodies: {code}: {p}" for p in body_problems(
                entry, by_code[code].level, set(data.district_standing_committee))]
    if problems:
        raise ValueError(problems[0])
    return [Body(code=u.code, name_zh=f"{u.name_zh}{BODY_NAME_OF_LEVEL[u.level]}",
                 level=u.level, parent=u.parent, members=tuple(entries[u.code].members),
                 registered_leaders=tuple(entries[u.code].registered_leaders))
            for u in by_code.values()]


def body_problems(entry: BodyEntry, level: Level, standing: set[str]) -> list[str]:
    roles = [m.role for m in entry.members]
    problems = []
    if roles.count("secretary") != 1:
        problems.append("field 'members': exactly one secretary")
    kinds = {m.kind for m in entry.members}
    if level != "district" and kinds != {"full-time", "part-time"}:
        problems.append("field 'members': full-time and part-time members both (QL-09)")
    firsts = [m for m in entry.members if m.role == "first-secretary"]
    if level == "street":
        if len(firsts) != 1:
            problems.append("field 'members': a street committee has one first secretary")
        elif firsts[0].person not in standing:
            problems.append(f"first secretary '{firsts[0].person}' is not a member of the "
                            "district standing committee (HC-01)")
    if entry.registered_leaders and level != "community":
        problems.append("field 'registered_leaders': leaders register with a community (LK-01)")
    return problems
