"""Deadline rules: the promised limit (承诺时限) may be extended, with an approval, up to the
legal limit (法定时限) and never beyond it."""

from datetime import date

from policies.access import Actor, Role


def is_overdue(still_open: bool, due_on: date | None, today: date) -> bool:
    """A case still open after its promised date (承诺时限) is overdue; the day itself is not."""
    return still_open and due_on is not None and due_on < today


def extension_problem(due_on: date, legal_due_on: date, extended_to: date) -> str | None:
    if extended_to <= due_on:
        return "an extension must move the deadline later"
    if extended_to > legal_due_on:
        return (f"the promised deadline can be extended up to the legal limit "
                f"({legal_due_on.isoformat()}), not beyond it")
    return None


def extension_approval_refusal(requested_by: str, approver: Actor) -> str | None:
    """A supervising secretary or an administrator approves; nobody approves their own."""
    if approver.role not in (Role.SECRETARY, Role.ADMIN):
        return "a supervising secretary or an administrator approves extensions"
    if approver.username == requested_by:
        return "nobody approves their own extension"
    return None
