import logging

import pytest

from policies.personal_data import (
    citizen_id_problem,
    id_check_char,
    mask_citizen_id,
    mask_in_text,
    mask_phone,
)
from services.platform.logs import MaskPersonalData

VALID_ID = "11010519491231002X"  # the worked example of GB 11643-1999


def test_the_standards_worked_example_is_accepted():
    assert citizen_id_problem(VALID_ID) is None


def test_a_wrong_check_digit_is_refused():
    assert citizen_id_problem(VALID_ID[:17] + "1") == "fails the GB 11643 check digit"


@pytest.mark.parametrize("value, reason", [
    ("1101051949123100", "must be 17 digits followed by a digit or X"),
    ("11010519491231002x", "must be 17 digits followed by a digit or X"),
    ("110105194902300021", "contains an impossible date of birth"),
])
def test_malformed_id_numbers_say_why(value, reason):
    assert citizen_id_problem(value) == reason


def test_check_character_ten_is_written_x():
    assert id_check_char("11010519491231002") == "X"


def test_masks_keep_only_what_a_counter_clerk_reads_aloud():
    assert mask_citizen_id(VALID_ID) == "1101**********002X"
    assert mask_phone("13812345678") == "138****5678"


def test_ids_and_phones_are_masked_anywhere_in_free_text():
    text = f"applicant {VALID_ID} called from 13812345678 about case 2026001"
    assert mask_in_text(text) == (
        "applicant 1101**********002X called from 138****5678 about case 2026001")


def test_log_records_are_masked_before_they_are_written(caplog):
    logger = logging.getLogger("govflow.test.masking")
    caplog.handler.addFilter(MaskPersonalData())
    with caplog.at_level(logging.INFO, logger=logger.name):
        logger.info("looked up %s", VALID_ID)
    assert caplog.messages == ["looked up 1101**********002X"]
