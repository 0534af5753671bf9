"""Human tasks (work items): which operation is allowed in which state, and for whom.

States: open (waiting in a group's queue) → claimed (one person works on it) ⇄ delegated
(委派: lent to a delegate whose answer returns to the owner) → completed; open/claimed →
withdrawn (the process no longer needs it).
"""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from policies.access import Actor, ObjectScope, Role, can_read


class Status(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DELEGATED = "delegated"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


FINAL = {Status.COMPLETED, Status.WITHDRAWN}


class ItemView(BaseModel):
    """What the rules need to know of a work item."""

    model_config = ConfigDict(frozen=True)

    status: Status
    candidate_group: str
    assignee: str | None
    owner: str | None
    stage_mode: str | None = None
    blocked: bool = False  # a signer added before this one has not signed yet
    decided_by: str | None = None


def group_of(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def in_group(actor: Actor, group: str) -> bool:
    """A department's officers, a station's clerks, a unit's secretaries form its group."""
    kind, _, code = group.partition(":")
    return {"department": actor.department, "station": actor.station,
            "org": actor.org_unit}.get(kind) == code


def may_see(actor: Actor, item: ItemView, case_scope: ObjectScope) -> bool:
    """Its group and holders work on it; whoever may read its case follows it (a department
    its cases' steps, a secretary the cases of the stations in the unit)."""
    if in_group(actor, item.candidate_group) or actor.username in (item.assignee, item.owner):
        return True
    return can_read(actor, case_scope)


def refusal(operation: str, actor: Actor, item: ItemView) -> str | None:
    """Why `actor` may not do `operation` on `item` now, or None when allowed."""
    if actor.role is Role.AUDITOR:
        return "an auditor reads work items and changes none"
    if item.status in FINAL and operation != "withdraw":
        return f"the work item is {item.status.value}; nothing more can be done on it"
    check = _CHECKS.get(operation)
    if check is None:
        raise ValueError(f"unknown operation {operation}")
    return check(actor, item)


def _claim(actor: Actor, item: ItemView) -> str | None:
    if item.status is not Status.OPEN:
        return f"already taken by {item.assignee}"
    return None if in_group(actor, item.candidate_group) else "not in the item's group"


def _unclaim(actor: Actor, item: ItemView) -> str | None:
    if item.status is not Status.CLAIMED or item.assignee != actor.username:
        return "only the person who claimed it can put it back"
    return None


def _assign(actor: Actor, item: ItemView) -> str | None:
    """转办: the assignee hands the item on; a group member may assign an unclaimed one."""
    if item.status is Status.DELEGATED:
        return "a delegated item must be resolved before it is reassigned"
    if _holds(actor, item):
        return None
    return "only the assignee or a member of the item's group may assign it"


def _holds(actor: Actor, item: ItemView) -> bool:
    """The item is the actor's to pass on: assigned to them, or unclaimed in their group (or
    they administer)."""
    if actor.role is Role.ADMIN or item.assignee == actor.username:
        return True
    return item.status is Status.OPEN and in_group(actor, item.candidate_group)


def _delegate(actor: Actor, item: ItemView) -> str | None:
    if item.status is not Status.CLAIMED or item.assignee != actor.username:
        return "only the assignee of a claimed item may delegate it"
    return None


def _resolve(actor: Actor, item: ItemView) -> str | None:
    if item.status is not Status.DELEGATED or item.assignee != actor.username:
        return "only the delegate of a delegated item may resolve it"
    return None


def _decide(actor: Actor, item: ItemView) -> str | None:
    if item.blocked:
        return "a signer added before this one must sign first (前加签)"
    if item.status is Status.DELEGATED:
        return "the item is delegated; the delegate resolves it back to the owner first"
    if item.status is Status.CLAIMED and item.assignee != actor.username:
        return f"claimed by {item.assignee}"
    if item.status is Status.OPEN and not in_group(actor, item.candidate_group):
        return "not in the item's group"
    return None


def _urge(actor: Actor, item: ItemView) -> str | None:
    """催办: supervisors and administrators press for an answer."""
    if actor.role in (Role.ADMIN, Role.SECRETARY):
        return None
    return "only a secretary or an administrator urges a work item"


def _add_signer(actor: Actor, item: ItemView) -> str | None:
    """加签: whoever holds an item of an all-must-sign stage may add a signer to it."""
    if item.stage_mode != "all":
        return "signers are added to all-must-sign (会签) stages only"
    if _holds(actor, item):
        return None
    return "only the item's assignee or a member of its group may add a signer"


def _withdraw(actor: Actor, item: ItemView) -> str | None:
    """撤回: only the person who decided takes a decision back (the service also checks that
    nobody has acted on what followed)."""
    if item.status is not Status.COMPLETED or item.decided_by != actor.username:
        return "only the person who decided an item can withdraw the decision"
    return None


def rewind_refusal(clock_effects: list[str | None], stage_involved: bool) -> str | None:
    """Whether a case may go back to an earlier step: not over a correction cycle (the clock
    it stopped and restarted would be wrong), not into or out of a 会签/或签 stage. (A
    withdrawal also needs the next person not to have acted: `untouched`.)"""
    if any(clock_effects):
        return "cannot go back over a return for correction: the deadline clock moved"
    if stage_involved:
        return "going back into or out of a 会签/或签 stage is not supported"
    return None


def untouched(later: list[ItemView]) -> bool:
    """Nobody has acted on what followed: every later item is still open and unclaimed."""
    return all(i.status is Status.OPEN and i.assignee is None for i in later)


def stage_complete(mode: str, statuses: list[Status]) -> bool:
    """会签 needs every signer; 或签 the first."""
    done = [s is Status.COMPLETED for s in statuses]
    return all(done) if mode == "all" else any(done)


_CHECKS = {"claim": _claim, "unclaim": _unclaim, "assign": _assign, "delegate": _delegate,
           "resolve": _resolve, "decide": _decide, "urge": _urge, "add-signer": _add_signer,
           "withdraw": _withdraw, "return": _decide}
