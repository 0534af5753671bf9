import pytest

from policies.access import (
    Actor,
    ObjectScope,
    Role,
    can_read,
    can_write,
    is_staff,
    sees_personal_data,
)

officer = Actor(username="o", role=Role.OFFICER, department="civil-affairs")
clerk = Actor(username="c", role=Role.CLERK, station="st-01")
street_secretary = Actor(username="s", role=Role.SECRETARY, org_unit="songyu")
auditor = Actor(username="a", role=Role.AUDITOR)

civil_affairs_case = ObjectScope(department="civil-affairs", station="st-05",
                                 org_units=("songyu-haihong", "songyu", "haicang"))


def test_an_officer_reads_its_own_department_only():
    assert can_read(officer, civil_affairs_case)
    assert not can_read(officer, ObjectScope(department="health"))


def test_a_clerk_reads_its_own_station_only():
    assert not can_read(clerk, civil_affairs_case)
    assert can_read(clerk, ObjectScope(station="st-01"))


def test_a_street_secretary_reads_everything_under_the_street():
    assert can_read(street_secretary, civil_affairs_case)
    assert not can_read(street_secretary, ObjectScope(org_units=("xinyang", "haicang")))


def test_an_auditor_reads_everything_and_changes_nothing():
    assert can_read(auditor, civil_affairs_case)
    assert not can_write(auditor, civil_affairs_case)


def test_an_auditor_sees_personal_numbers_masked():
    assert not sees_personal_data(auditor, civil_affairs_case)
    assert sees_personal_data(officer, civil_affairs_case)


@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICER, Role.SECRETARY, Role.APPLICANT])
def test_a_scoped_role_without_its_scope_is_refused(role):
    with pytest.raises(ValueError, match="needs a"):
        Actor(username="x", role=role)


applicant = Actor(username="applicant-1", role=Role.APPLICANT,
                  applicant_number="11010519491231002X")
own_application = civil_affairs_case.model_copy(update={"applicant_number": "11010519491231002X"})
someone_elses = civil_affairs_case.model_copy(update={"applicant_number": "350205198001011237"})


def test_an_applicant_reads_and_changes_its_own_applications_only():
    assert can_read(applicant, own_application) and can_write(applicant, own_application)
    assert not can_read(applicant, someone_elses) and not can_write(applicant, someone_elses)
    assert not can_read(applicant, civil_affairs_case)  # whose it is, unknown: not its


def test_an_applicant_sees_its_own_numbers_and_nobody_elses():
    assert sees_personal_data(applicant, own_application)
    assert not sees_personal_data(applicant, someone_elses)


def test_the_applicants_number_on_a_case_widens_no_staff_scope():
    assert not can_read(clerk, own_application)
    assert can_read(officer, own_application)


def test_only_applicants_are_not_staff():
    assert not is_staff(applicant)
    assert all(is_staff(a) for a in (officer, clerk, street_secretary, auditor))
