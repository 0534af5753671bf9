"""Deadline rules: the promised limit (承诺时限) may be extended, with an approval, up to the
legal limit (法定时限) and never beyond it."""

from datetime import date


def extension_problem(due_on: date, legal_due_on: date, extended_to: date) -> str | None:
    if extended_to <= due_on:
        return "an extension must move the deadline later"
    if extended_to > legal_due_on:
        return (f"the promised deadline can be extended up to the legal limit "
                f"({legal_due_on.isoformat()}), not beyond it")
    return None


def may_approve_extension(requested_by: str, approver: str) -> bool:
    """Nobody approves their own extension."""
    return requested_by != approver
