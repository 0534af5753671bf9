import pytest

from services.volunteering import reference


@pytest.fixture(scope="session")
def small_district():
    """Four real communities of Haicang, 16 units, 400 members."""
    return reference.generated_district(16, 400, 4, seed=3)


@pytest.fixture(scope="session")
def settings():
    return reference.settings()
