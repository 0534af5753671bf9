"""Pydantic types for identifiers whose rules live in policies/ (check digits and shapes)."""

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from policies.personal_data import citizen_id_problem, mobile_problem, uscc_problem


def checked(problem: Callable[[str], str | None], what: str) -> AfterValidator:
    """A validator that refuses a value `problem` finds fault with, saying what it is."""
    def validate(value: str) -> str:
        found = problem(value)
        if found:
            raise ValueError(f"not a valid {what}: {found}")
        return value

    return AfterValidator(validate)


CitizenId = Annotated[str, checked(citizen_id_problem, "citizen ID number")]
Mobile = Annotated[str, checked(mobile_problem, "mobile number")]
CreditCode = Annotated[str, checked(uscc_problem, "unified social credit code")]
