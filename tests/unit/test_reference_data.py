import shutil

import pytest
import yaml

from policies.reference import ReferenceDataError
from services.platform.reference_data import DATA_DIR, REFERENCE_FILES, read_reference


@pytest.fixture
def data_dir(tmp_path):
    for name in REFERENCE_FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def edit(path, change):
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


def test_the_shipped_reference_data_is_valid():
    data = read_reference()
    assert (len(data.departments), len(data.stations), len(data.services)) == (49, 43, 91)


def test_a_wrong_type_names_file_entry_and_field(data_dir):
    edit(data_dir / "services.yaml",
         lambda c: c["services"][4].update(promised_working_days="five"))
    with pytest.raises(ReferenceDataError) as error:
        read_reference(data_dir)
    assert str(error.value).startswith("services.yaml: services[4] (S005): "
                                       "field 'promised_working_days':")


def test_a_missing_nested_field_names_its_path(data_dir):
    edit(data_dir / "services.yaml", lambda c: c["services"][0]["materials"][0].pop("original"))
    with pytest.raises(ReferenceDataError, match=r"services\[0\] \(S001\): field "
                                                 r"'materials\.0\.original': Field required"):
        read_reference(data_dir)


def test_an_unknown_department_is_refused(data_dir):
    edit(data_dir / "services.yaml", lambda c: c["services"][2].update(department="nowhere"))
    with pytest.raises(ReferenceDataError,
                       match="services.yaml: S003: field 'department': unknown 'nowhere'"):
        read_reference(data_dir)


def test_an_on_the_spot_service_cannot_promise_days(data_dir):
    def make_inconsistent(c):
        c["services"][0].update(on_the_spot=True, promised_working_days=3)

    edit(data_dir / "services.yaml", make_inconsistent)
    with pytest.raises(ReferenceDataError, match="S001: field 'promised_working_days'"):
        read_reference(data_dir)


def test_a_station_in_a_community_of_another_street_is_refused(data_dir):
    def misplace(c):
        station = next(s for s in c["stations"] if s["community"])
        station["street"] = next(s["street"] for s in c["stations"]
                                 if s["street"] != station["street"])

    edit(data_dir / "stations.yaml", misplace)
    with pytest.raises(ReferenceDataError, match="field 'community': .* is not a community of"):
        read_reference(data_dir)


def test_an_unknown_field_is_refused_not_ignored(data_dir):
    edit(data_dir / "departments.yaml", lambda c: c["departments"][1].update(budget=1))
    with pytest.raises(ReferenceDataError, match=r"departments\[1\] .*field 'budget': Extra"):
        read_reference(data_dir)
