"""Month-end compliance: QL-11a (every unit held its concentrated activity in its paired
community, with its own members there) and QL-11b (every member took part at least once in a
project of a type the member claimed)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    clause: str      # QL-11a | QL-11b
    subject: str     # a unit's or a member's code
    unit: str
    community: str
    street: str
    reason_zh: str


@dataclass(frozen=True)
class Attendance:
    member: str
    activity: str
    project_type: str
    attended: bool | None


def unit_findings(hosts: dict[str, str], units: dict[str, tuple[str, str]],
                  member_unit: dict[str, str], attendance: list[Attendance]) -> list[Finding]:
    """units: code -> (paired community, street)."""
    present = {(a.activity, member_unit[a.member]) for a in attendance if a.attended}
    held = {a.activity for a in attendance if a.attended}
    recorded = {a.activity for a in attendance if a.attended is not None}
    out = []
    for unit, (community, street) in sorted(units.items()):
        activity = hosts.get(unit)
        if activity is None:
            reason = "本月计划中没有本单位主办的集中活动"
        elif activity not in recorded:
            reason = f"集中活动 {activity} 签到表未录入"
        elif activity not in held:
            reason = f"集中活动 {activity} 无人签到，视为未开展"
        elif (activity, unit) not in present:
            reason = f"集中活动 {activity} 本单位党员无人到场"
        else:
            continue
        out.append(Finding("QL-11a", unit, unit, community, street, reason))
    return out


def member_findings(members: dict[str, tuple[str, str, str, frozenset[str]]],
                    attendance: list[Attendance], uncovered: dict[str, str]) -> list[Finding]:
    """members: code -> (unit, home community, street, claimed types)."""
    mine: dict[str, list[Attendance]] = {}
    for a in attendance:
        mine.setdefault(a.member, []).append(a)
    out = []
    for code, (unit, home, street, claimed) in sorted(members.items()):
        rows = mine.get(code, [])
        if any(a.attended and a.project_type in claimed for a in rows):
            continue
        if not rows:
            reason = f"本月未安排活动：{uncovered.get(code, '计划中没有该党员')}"
        elif any(a.attended for a in rows):
            reason = "参加的活动不是其认领的项目类型"
        elif any(a.attended is False for a in rows):
            reason = "缺席：" + "、".join(a.activity for a in rows if a.attended is False)
        else:
            reason = "签到表未录入：" + "、".join(a.activity for a in rows)
        out.append(Finding("QL-11b", code, unit, home, street, reason))
    return out
