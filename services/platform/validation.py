"""Pydantic types for identifiers whose rules live in policies/ (check digits and shapes),
and for dates written the one way the API documents."""

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from policies.personal_data import citizen_id_problem, mobile_problem, uscc_problem


def checked(problem: Callable[[str], str | None], what: str) -> AfterValidator:
    """A validator that refuses a value `problem` finds fault with, saying what it is."""
    def validate(value: str) -> str:
        found = problem(value)
        if found:
            raise ValueError(f"not a valid {what}: {found}")
        return value

    return AfterValidator(validate)


def shaped(pattern: str) -> Field:
    """Shows the shape in the OpenAPI document; the policy check stays the one rule (with its
    own messages, and what no pattern says: a date of birth, a check digit)."""
    return Field(json_schema_extra={"pattern": pattern})


CitizenId = Annotated[str, shaped(r"^\d{17}[\dX]$"),
                      checked(citizen_id_problem, "citizen ID number")]
Mobile = Annotated[str, shaped(r"^1[3-9]\d{9}$"), checked(mobile_problem, "mobile number")]
CreditCode = Annotated[str, shaped(r"^[0-9A-HJ-NP-RTUWXY]{18}$"),
                       checked(uscc_problem, "unified social credit code")]


def _iso_date(value: Any) -> Any:
    """Pydantic alone also reads `0` or `2024-01-01T00:00` as a date; the schema says YYYY-MM-DD."""
    if isinstance(value, date) or (isinstance(value, str)
                                   and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        return value
    raise ValueError("not a date: write it as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
