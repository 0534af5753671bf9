"""Month-end compliance from the published plan and the sign-in lists (QL-11a, QL-11b)."""

from collections import Counter

from sqlalchemy import select

from policies.volunteering import compliance as rules
from services.platform.db.uow import Database
from services.volunteering import reference
from services.volunteering.models import (
    VolunteerAssignment,
    VolunteerMember,
    VolunteerUncovered,
    VolunteerUnit,
)
from services.volunteering.plans import published_plan


def month_end(db: Database, month: str) -> dict:
    street_of = {code: street for code, _, street in reference.district_communities()}
    with db.reading() as uow:
        s = uow.session
        plan = published_plan(s, month)
        rows = s.scalars(select(VolunteerAssignment).where(
            VolunteerAssignment.plan_id == plan.id,
            VolunteerAssignment.status == "planned")).all()
        attendance = [rules.Attendance(r.member_code, r.activity_code, r.project_type,
                                       r.attended) for r in rows]
        units = {u.code: (u.community, street_of.get(u.community, ""))
                 for u in s.scalars(select(VolunteerUnit))}
        members = {m.code: (m.unit_code, m.home, street_of.get(m.home, ""), frozenset(m.claimed))
                   for m in s.scalars(select(VolunteerMember))}
        uncovered = {u.member_code: u.reason for u in s.scalars(
            select(VolunteerUncovered).where(VolunteerUncovered.plan_id == plan.id))}
    findings = (rules.unit_findings(plan.hosts, units, {m: v[0] for m, v in members.items()},
                                    attendance)
                + rules.member_findings(members, attendance, uncovered))
    return {
        "month": month, "units": len(units), "members": len(members),
        "findings": [f.__dict__ for f in findings],
        "by_unit": dict(Counter(f.unit for f in findings)),
        "by_community": dict(Counter(f.community for f in findings)),
        "by_street": dict(Counter(f.street for f in findings)),
    }
