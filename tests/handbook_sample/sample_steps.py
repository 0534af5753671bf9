"""Step definitions of the handbook's test-only feature (run by `record_sample_run` only: the
file name keeps it out of the suite's collection)."""

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.handbook_sample import FEATURES, SKIP_REASON

scenarios(str(FEATURES / "notice.feature"))


@pytest.fixture
def notice() -> dict:
    return {}


@given("申请人提交了以下材料:")
def submitted(notice, datatable):
    notice["submitted"] = [row[0] for row in datatable[1:]]


@when("窗口人员审核材料")
def check(notice):
    required = ["身份证", "户口簿", "申请表"]
    notice["missing"] = [m for m in required if m not in notice.get("submitted", [])]


@when("这个样例暂缓运行")
def postponed():
    pytest.skip(SKIP_REASON)


@then(parsers.parse("告知书列明缺少的{count:d}件材料"))
def listed(notice, count):
    assert len(notice["missing"]) == count


@then("这个样例故意不通过")
def fails_on_purpose(notice):
    assert notice["missing"] == [], "样例故意不通过：缺少材料"


@when(parsers.parse("申请人到现场{visits:d}次"))
def visits(notice, visits):
    notice["visits"] = visits


@then(parsers.parse("结果是{verdict}"))
def verdict(notice, verdict):
    assert ("符合" if notice["visits"] <= 1 else "不符合") == verdict
