"""The handbook in a real browser (Debian's chromium driven by Playwright) against a real API
server: what a reader sees. The results come from a real recorded run of the test-only sample
feature, in which one scenario and one example row fail on purpose."""

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.cli import prepare
from policies.access import Actor, Role
from services.handbook.coverage import load_handbook
from services.handbook.registry import read_registry
from services.handbook.settings import HandbookSettings
from services.platform.settings import Settings
from tests.e2e.conftest import PASSWORD, free_port, get_ok, wait_for
from tests.handbook_sample import (
    FAILING,
    FEATURE_PATH,
    OUTLINE,
    PASSING,
    REPO,
    SKIP_REASON,
    record_sample_run,
)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: the browser tests "
                       "need Debian's chromium (apt-get install chromium fonts-noto-cjk)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SAMPLE = ["tests/handbook_sample/features"]
SCREENSHOTS = REPO / "var" / "handbook" / "screenshots"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return record_sample_run(tmp_path_factory.mktemp("handbook-runs"))


@pytest.fixture(scope="module")
def api_workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("handbook-api")


@pytest.fixture(scope="module")
def api_db(api_workdir):
    """The served API's business database, for what the test puts there beside the API."""
    from services.platform.db.uow import Database

    database = Database(f"sqlite:///{api_workdir / 'govflow.db'}")
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def server(api_workdir, results):
    workdir = api_workdir
    port = free_port()
    database_url = f"sqlite:///{workdir / 'govflow.db'}"
    # Migrated, loaded and with the demo accounts, as `govflow up` leaves it: the auditor signs in.
    prepare(Settings(database_url=database_url, demo_password=PASSWORD))
    env = os.environ | {
        "GOVFLOW_DATABASE_URL": database_url,
        "GOVFLOW_HANDBOOK_RESULTS_DIR": str(results),
        "GOVFLOW_HANDBOOK_EXTRA_FEATURES_DIRS": json.dumps(SAMPLE),
    }
    log = open(workdir / "api.log", "wb")  # noqa: SIM115
    api = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app",
         "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: api.poll() is not None or get_ok(f"{base}/healthz"), "the API", 60)
        assert api.poll() is None, (workdir / "api.log").read_text()
        yield base
    finally:
        api.terminate()
        api.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that collects console errors and uncaught exceptions; none may happen."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def expected(results):
    settings = HandbookSettings(results_dir=results, extra_features_dirs=SAMPLE)
    return load_handbook(settings)


def test_the_matrix_counts_equal_the_registrys(server, page, expected):
    page.goto(f"{server}/handbook/")
    registry = read_registry()
    assert page.locator("[data-count=total]").inner_text() == str(len(registry.clauses))
    shown = {s: int(page.locator(f"[data-count={s}]").inner_text())
             for s in ("passing", "failing", "not_run", "uncovered")}
    assert shown == expected.counts(registry.clauses)
    assert sum(shown.values()) == len(registry.clauses)
    rows = page.locator("#coverage tr[data-clause]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.clause)") == [
        c.id for c in registry.clauses]
    per_process = page.locator("#by-process td.total").all_inner_texts()
    assert sum(int(n) for n in per_process) == len(registry.clauses)


def test_every_clause_link_resolves(server, page):
    page.goto(f"{server}/handbook/")
    links = page.locator("#coverage a").evaluate_all("as => as.map(a => a.href)")
    assert len(links) == len(read_registry().clauses)
    for link in links:
        response = page.goto(link)
        assert response.status == 200, link
        clause_id = link.rsplit("/", 1)[-1]
        assert page.locator("h1").inner_text().startswith(clause_id)


def test_a_failing_scenario_shows_as_failing_on_its_clause_page(server, page):
    page.goto(f"{server}/handbook/")
    page.click("#coverage a:text-is('HC-11e')")
    assert page.url.endswith("/handbook/clauses/HC-11e")
    assert page.locator("h1 .badge").first.inner_text() == "未通过"
    failing = page.locator(".scenario-result", has_text=FAILING)
    assert failing.get_attribute("data-status") == "failed"
    assert "样例故意不通过" in failing.locator(".message").inner_text()
    skipped = page.locator(".scenario-result", has_text="暂缓运行的样例场景")
    assert skipped.get_attribute("data-status") == "skipped"
    assert SKIP_REASON in skipped.inner_text()
    assert page.locator("#history tr").count() == 2  # the header and the one recorded run
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "clause-HC-11e.png", full_page=True)


def test_an_outline_shows_one_result_per_example_row(server, page):
    page.goto(f"{server}/handbook/clauses/HC-11e")
    page.click(f"a:has-text('{OUTLINE}')")
    slug = FEATURE_PATH.split("/", 1)[1].removesuffix(".feature")
    assert f"/handbook/features/{slug}" in page.url
    outline = page.locator(".scenario", has_text=OUTLINE)
    rows = outline.locator("table.examples tr[data-row]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.status)") == [
        "passed", "passed", "passed", "failed"]
    assert [rows.nth(i).locator(".badge").count() for i in range(4)] == [1, 1, 1, 1]
    assert page.locator(".gherkin .kw", has_text="场景大纲").count() == 1
    assert page.locator(".gherkin .kw", has_text="规则").count() == 1


def test_a_chinese_search_finds_its_scenario(server, page):
    page.goto(f"{server}/handbook/")
    page.fill("header input[name=q]", "一次列明全部缺少")  # no spaces: Chinese text
    page.press("header input[name=q]", "Enter")
    page.wait_for_url("**/handbook/search?q=*")
    hits = page.locator("#results .hit")
    assert hits.count() == 1
    assert PASSING in hits.first.inner_text()
    assert hits.first.locator("mark").first.inner_text() == "一次列明全部缺少"
    hits.first.locator("a").click()
    assert page.locator(".scenario", has_text=PASSING).first.is_visible()


def test_search_filters_are_kept_in_the_url(server, page):
    page.goto(f"{server}/handbook/search?status=failing&process=one_stop")
    assert page.locator("#status").input_value() == "failing"
    titles = page.locator("#results .hit a").all_inner_texts()
    assert any("HC-11e" in t for t in titles) and any(FAILING in t for t in titles)
    assert not any("HC-11a" in t for t in titles)


def test_the_home_page_screenshot_is_legible_chinese(server, page):
    page.goto(f"{server}/handbook/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "home.png")
    # No tofu boxes: the page's font resolves to an installed CJK face.
    match = subprocess.run(["fc-match", "Noto Sans CJK SC:lang=zh-cn", "family"],
                           capture_output=True, text=True).stdout if shutil.which("fc-match") \
        else ""
    assert "Noto Sans CJK" in match, "install fonts-noto-cjk"
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '政策手册')")


def test_the_static_build_opens_from_disk(tmp_path, page, results):
    out = tmp_path / "site"
    env = os.environ | {"GOVFLOW_HANDBOOK_RESULTS_DIR": str(results)}
    done = subprocess.run([str(Path(sys.executable).parent / "govflow"), "handbook", "build",
                           "--out", str(out)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    page.goto((out / "index.html").as_uri())
    page.click("#coverage a:text-is('QL-05')")
    assert page.url.endswith("/clauses/QL-05.html")
    page.click("a:has-text('policies/data/org.yaml')")
    assert "org" in page.content()
    page.goto((out / "search.html").as_uri() + "?q=四级组织体系")  # the search works offline too
    assert page.locator("#results .hit").count() >= 1


def test_process_mining_shows_one_stop_applications_by_their_own_steps(server, page,
                                                                        api_db):
    """A clerk takes in an application over HTTP (it opens with its receipt, no case.started):
    the auditor, after signing in, sees it under 一站式审批 with its steps, nothing 未记录."""
    clerk = _token(server, "clerk-st-12")
    service = _service_needing_materials(api_db)
    taken = httpx.post(f"{server}/api/v1/applications", headers=clerk, json={
        "service": service.code, "station": "st-12", "materials": [],
        "applicant": {"kind": "person", "name": "王小明", "id_number": "11010519491231002X",
                      "phone": "13812345678"}})
    assert taken.status_code == 201, taken.text
    page.goto(f"{server}/handbook/processes/one_stop")
    page.click("a:text-is('过程挖掘')")
    assert page.url.endswith("/handbook/login")
    _sign_in(page, "auditor")
    page.wait_for_url("**/handbook/mining")
    assert page.locator("h1").inner_text().startswith("过程挖掘")
    one_stop = page.locator("section.mining[data-process=one_stop]")
    assert one_stop.locator("h2").inner_text().startswith("一站式审批")
    assert "收件（application.received） → 一次性告知（application.notice_issued）" in \
        one_stop.locator("table.variants").inner_text()
    assert page.locator("section.mining[data-process=未记录]").count() == 0
    text = page.locator("main").inner_text()
    assert "auditor" not in text and "王小明" not in text  # no names on the page


def test_each_process_figures_over_time_are_charted_for_auditors(server, page, api_db):
    """Three nights of the dashboard-figures flow's work (its service, on the API's database):
    one chart a figure, a dot a night, the last value written at the end of the line."""
    from services.grid import figures as grid_figures
    from services.one_stop import figures as one_stop_figures
    from services.platform import figures, reference_data
    from services.platform.db.models import AuditEvent

    calendar = reference_data.read_calendar(None)
    for day in (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)):
        figures.record_sources(api_db, calendar, AUDITOR, [one_stop_figures, grid_figures], day)
    page.goto(f"{server}/handbook/figures")
    assert page.url.endswith("/handbook/login")  # not public
    _sign_in(page, "auditor")
    page.goto(f"{server}/handbook/figures")
    received = page.locator("section[data-process=one_stop] [data-figure=received]")
    dots = received.locator("circle")
    assert dots.evaluate_all("cs => cs.map(c => c.dataset.day)") == [
        "2026-03-02", "2026-03-03", "2026-03-04"]
    with api_db.reading() as uow:  # what the API took in so far, whatever the test order
        taken = uow.session.query(AuditEvent).filter_by(action="application.received").count()
    assert dots.last.get_attribute("data-value") == str(taken)
    assert page.locator("section[data-process=one_stop] h3").all_inner_texts()[:2] == [
        "按期办结率", "最多跑一次占比"]
    assert page.locator("section[data-process=grid] [data-figure=response_rate]").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "figures.png", full_page=True)


AUDITOR = Actor(username="auditor", role=Role.AUDITOR)


def _token(server: str, username: str) -> dict[str, str]:
    token = httpx.post(f"{server}/api/v1/auth/token",
                       data={"username": username, "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _sign_in(page, username: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _service_needing_materials(db):
    from sqlalchemy import select

    from services.platform.db import models

    with db.reading() as uow:
        return next(s for s in uow.session.scalars(select(models.Service).where(
            models.Service.delegated.is_(True), models.Service.on_the_spot.is_(False)
        ).order_by(models.Service.code)) if "person" in s.applicant_kinds and s.materials)
