import pytest

from policies.access import Actor, ObjectScope, Role, can_read, can_write, sees_personal_data

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


@pytest.mark.parametrize("role", [Role.CLERK, Role.OFFICER, Role.SECRETARY])
def test_a_scoped_role_without_its_scope_is_refused(role):
    with pytest.raises(ValueError, match="needs a"):
        Actor(username="x", role=role)
