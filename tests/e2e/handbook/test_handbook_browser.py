"""The handbook in a real browser (Debian's chromium driven by Playwright) against a real API
server: what a reader sees. The results come from a real recorded run of the test-only sample
feature, in which one scenario and one example row fail on purpose."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import prepare
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
def server(tmp_path_factory, results):
    workdir = tmp_path_factory.mktemp("handbook-api")
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


def test_process_mining_asks_an_auditor_to_sign_in(server, page):
    page.goto(f"{server}/handbook/processes/project_approval")
    page.click("a:text-is('过程挖掘')")
    assert page.url.endswith("/handbook/login")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/handbook/mining")
    assert page.locator("h1").inner_text().startswith("过程挖掘")
    assert "auditor" not in page.locator("main").inner_text()  # no names on the page
