"""The handbook served by the API: public pages, real statuses from a recorded run of the
test-only sample feature (one scenario and one example row fail on purpose)."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from services.handbook.registry import read_registry
from tests.handbook_sample import FAILING, FEATURE_PATH, SKIP_REASON, record_sample_run


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory):
    return record_sample_run(tmp_path_factory.mktemp("handbook-runs"))


@pytest.fixture
def handbook(monkeypatch, sample_results):
    monkeypatch.setenv("GOVFLOW_HANDBOOK_RESULTS_DIR", str(sample_results))
    monkeypatch.setenv("GOVFLOW_HANDBOOK_EXTRA_FEATURES_DIRS",
                       json.dumps(["tests/handbook_sample/features"]))


def test_the_home_page_is_public_and_lists_every_clause(client, handbook):
    response = client.get("/handbook/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for clause in read_registry().clauses:
        assert f'data-clause="{clause.id}"' in response.text
    assert 'data-clause="HC-11e" data-status="failing"' in response.text


def test_handbook_without_slash_redirects_so_relative_links_resolve(client):
    response = client.get("/handbook", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (308, "/handbook/")


def test_the_clause_page_shows_the_failing_scenario_and_the_skip_reason(client, handbook):
    page = client.get("/handbook/clauses/HC-11e").text
    assert '让"最多跑一次""一次就办好"' in page.replace("&#34;", '"')
    assert FAILING in page and "样例故意不通过：缺少材料" in page
    assert SKIP_REASON in page


def test_an_unknown_clause_or_page_is_a_problem_naming_the_path(client, handbook):
    response = client.get("/handbook/clauses/HC-99z")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "path"


def test_only_the_data_files_a_clause_reads_are_published(client, handbook):
    assert client.get("/handbook/data/policies/data/org.yaml").status_code == 200
    assert client.get("/handbook/data/pyproject.toml").status_code == 404
    assert client.get("/handbook/data/policies/../pyproject.toml").status_code == 404


def test_the_feature_page_shows_one_result_per_example_row(client, handbook):
    slug = FEATURE_PATH.split("/", 1)[1].removesuffix(".feature")
    page = client.get(f"/handbook/features/{slug}").text
    rows = [page.count(f'data-row="{i}" data-status="{s}"')
            for i, s in enumerate(["passed", "passed", "passed", "failed"])]
    assert rows == [1, 1, 1, 1]
    assert "<td>身份证</td>" in page  # the data table of a step, as written


def test_the_csv_and_xlsx_exports_hold_the_matrix(client, handbook):
    rows = list(csv.reader(io.StringIO(
        client.get("/handbook/coverage.csv").content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["条款", "来源", "流程"]
    by_id = {r[0]: r for r in rows[1:31]}
    assert len(by_id) == 30 and by_id["HC-11e"][6] == "未通过"
    sheet = load_workbook(io.BytesIO(client.get("/handbook/coverage.xlsx").content)).active
    assert sheet.title == "覆盖矩阵"
    assert [c.value for c in sheet["A"][1:31]] == [c.id for c in read_registry().clauses]


def test_the_process_page_draws_the_declared_steps_coloured_by_their_clauses(client, handbook):
    page = client.get("/handbook/processes/one_stop").text
    # 受理、一次性告知 is governed by HC-11e, failing in the sample run: its box is failing.
    steps = [s.name_zh for s in read_registry().process("one_stop").steps]
    assert page.count('<rect x="') == len(steps)
    assert page.count('data-status="failing"') >= 1
    assert 'href="../clauses/HC-11e"' in page
    assert client.get("/handbook/processes/nowhere").status_code == 404


def test_the_home_page_charts_clause_status_per_process(client, handbook):
    page = client.get("/handbook/").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert 'href="processes/one_stop"' in page


@pytest.mark.parametrize(("page", "title"), [("mining", "过程挖掘"), ("figures", "各流程指标")])
def test_process_mining_and_figures_are_for_auditors_and_administrators(client, login, page,
                                                                         title):
    response = client.get(f"/handbook/{page}", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/handbook/login")
    bad = client.get(f"/handbook/{page}", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401
    officer = client.get(f"/handbook/{page}", headers=login("officer-civil-affairs"))
    assert officer.status_code == 403
    assert officer.headers["content-type"] == "application/problem+json"
    for who in ("auditor", "admin"):
        response = client.get(f"/handbook/{page}", headers=login(who))
        assert response.status_code == 200, who
        assert title in response.text


def test_the_pdf_for_filing_holds_the_matrix_and_every_clause(client, handbook):
    response = client.get("/handbook/coverage.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(response.content) > 20_000  # the CJK glyphs are embedded, not left out


def test_an_auditor_signs_in_on_the_login_page_and_reads_the_mining_page(client):
    from tests.conftest import DEMO_PASSWORD

    wrong = client.post("/handbook/login", data={"username": "auditor", "password": "x"})
    assert wrong.status_code == 401 and "用户名或密码不对" in wrong.text
    officer = client.post("/handbook/login", data={"username": "officer-civil-affairs",
                                                   "password": DEMO_PASSWORD})
    assert officer.status_code == 403 and "只对审计人员和管理员开放" in officer.text
    signed_in = client.post("/handbook/login", data={"username": "auditor",
                                                     "password": DEMO_PASSWORD},
                            follow_redirects=False)
    assert (signed_in.status_code, signed_in.headers["location"]) == (303, "/handbook/mining")
    cookie = signed_in.cookies["govflow_handbook"]
    assert "HttpOnly" in signed_in.headers["set-cookie"]
    assert "Path=/handbook" in signed_in.headers["set-cookie"]
    page = client.get("/handbook/mining", cookies={"govflow_handbook": cookie})
    assert page.status_code == 200 and "过程挖掘" in page.text
    client.cookies.clear()
