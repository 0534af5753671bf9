from datetime import date

from policies.one_stop.intake import (
    ONLINE_DEFAULT_STATION,
    Channel,
    handling_station,
    receipt_number,
    receipt_series,
)
from services.platform.reference_data import read_reference


def test_a_station_numbers_its_counter_and_online_applications_have_their_own_series():
    day = date(2026, 7, 6)
    assert receipt_number(receipt_series(Channel.STATION, "st-05"), day, 7) == (
        "st-05-20260706-0007")
    assert receipt_number(receipt_series(Channel.ONLINE, "st-05"), day, 12) == (
        "online-20260706-0012")


def test_an_online_application_is_handled_where_the_applicant_chose_else_at_the_default():
    assert handling_station("st-17") == "st-17"
    assert handling_station(None) == ONLINE_DEFAULT_STATION


def test_the_default_station_for_online_applications_is_one_of_the_43():
    assert ONLINE_DEFAULT_STATION in {s.code for s in read_reference().stations}
