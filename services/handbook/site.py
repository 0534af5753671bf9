"""The handbook's pages, the same for the served site (/handbook/…) and the static one
(`govflow handbook build --out DIR`): every link is relative, so the built folder opens from
an auditor's laptop; no page loads anything from the network."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from policies.handbook.clauses import SOURCE_REPORTS
from services.handbook import charts, export
from services.handbook.coverage import (
    CLAUSE_STATUSES,
    STATUS_ZH,
    Handbook,
    Outcome,
    load_handbook,
)
from services.handbook.features import ExampleRow, Feature, Scenario, Step
from services.handbook.settings import HandbookSettings
from services.platform.documents import Templates

BEIJING = timezone(timedelta(hours=8))
_templates = Templates("services.handbook")


@dataclass(frozen=True)
class Page:
    body: bytes
    media_type: str


class Site:
    def __init__(self, handbook: Handbook, root: Path, static: bool = False):
        self.handbook, self.root, self.static = handbook, root, static
        self.generated = datetime.now(UTC)

    # -- addresses -------------------------------------------------------------------------

    def paths(self) -> list[str]:
        """Every page and file of the site (what the static build writes)."""
        h = self.handbook
        return (["", "glossary", "search", "coverage.csv", "coverage.xlsx", "coverage.pdf"]
                + [f"clauses/{c.id}" for c in h.registry.clauses]
                + [f"processes/{p.code}" for p in h.registry.processes]
                + [f"features/{f.slug}" for f in h.features]
                + sorted({f"data/{p}" for c in h.registry.clauses for p in c.reads}))

    def file_name(self, path: str) -> str:
        if path == "":
            return "index.html"
        return path if _is_file(path) else f"{path}.html"

    def _url_maker(self, page_path: str):
        up = "../" * page_path.count("/")

        def url(target: str, page: bool = True) -> str:
            if target == "" or target.startswith("#"):
                return up + ("index.html" if self.static else "./") + target.removeprefix("")
            base, _, anchor = target.partition("#")
            suffix = ".html" if self.static and page else ""
            return up + base + suffix + (f"#{anchor}" if anchor else "")
        return url

    # -- pages -----------------------------------------------------------------------------

    def page(self, path: str) -> Page | None:
        path = path.strip("/")
        if path.endswith(".html") and self.static is False:
            path = path.removesuffix(".html")
        if path in ("", "index"):
            return self._html("index.html", "", **self._home())
        if path == "glossary":
            return self._html("glossary.html", path, glossary=self.handbook.glossary,
                              phrases=self._phrases())
        if path == "search":
            return self._html("search.html", path, processes=self.handbook.registry.processes,
                              index_json=self._search_index())
        if path == "coverage.csv":
            return Page(export.coverage_csv(self.handbook), "text/csv; charset=utf-8")
        if path == "coverage.xlsx":
            return Page(export.coverage_xlsx(self.handbook), export.XLSX)
        if path == "coverage.pdf":
            return Page(self._pdf(), "application/pdf")
        if path.startswith("clauses/"):
            return self._clause(path)
        if path.startswith("features/"):
            return self._feature(path)
        if path.startswith("processes/"):
            return self._process(path)
        if path.startswith("data/"):
            return self._data(path.removeprefix("data/"))
        return None

    def _html(self, template: str, path: str, **values) -> Page:
        html = _templates.render(
            template, url=self._url_maker(path), when=when, zh=STATUS_ZH,
            statuses=CLAUSE_STATUSES, run=self.handbook.last_run, static=self.static,
            generated=when(self.generated), **values)
        return Page(html.encode("utf-8"), "text/html; charset=utf-8")

    def _home(self) -> dict:
        h = self.handbook
        by_process: dict[str, list[Feature]] = {}
        for feature in h.features:
            by_process.setdefault(feature.process, []).append(feature)
        by_process_counts = h.counts_by("process")
        chart = charts.status_bars(
            [(p.name_zh, by_process_counts[p.code]) for p in h.registry.processes
             if p.code in by_process_counts], STATUS_ZH)
        over_runs = charts.status_over_runs(
            [(run.finished_at.astimezone(BEIJING).strftime("%m-%d %H:%M"), counts)
             for run, counts in h.counts_over_runs()], STATUS_ZH)
        return dict(registry=h.registry, runs=h.runs, totals=h.counts(h.registry.clauses),
                    by_process=by_process_counts, chart=chart, over_runs=over_runs,
                    by_source=h.counts_by("source"),
                    sources=SOURCE_REPORTS, matrix=export.matrix(h), features=h.features,
                    features_by_process=by_process, unknown=h.unknown_tags())

    def _pdf(self) -> bytes:
        """The coverage matrix and every clause page, dated and carrying the commit, for
        filing (WeasyPrint; the CJK font comes from fonts-noto-cjk)."""
        from weasyprint import HTML

        h = self.handbook
        clauses = []
        for row in export.matrix(h):
            scenarios = [dict(feature=f, scenario=s, status=h.scenario_status(f, s),
                              rows=[o.result.status if o else "not_run"
                                    for _, o in self._rows(f, s)] if s.is_outline else [])
                         for f, s in h.scenarios_of(row.clause.id)]
            clauses.append(dict(row=row, scenarios=scenarios))
        run = h.last_run
        stamp = f"{when(self.generated)} · 提交 {(run.commit or '未知')[:10] if run else '无'}"
        html = self._html("print.html", "", matrix=export.matrix(h), clauses=clauses,
                          totals=h.counts(h.registry.clauses), registry=h.registry,
                          sources=SOURCE_REPORTS, stamp=stamp).body.decode("utf-8")
        return HTML(string=html).write_pdf()

    def _clause(self, path: str) -> Page | None:
        h = self.handbook
        clause = h.registry.get(path.removeprefix("clauses/"))
        if clause is None:
            return None
        scenarios = [dict(feature=f, scenario=s, status=h.scenario_status(f, s),
                          rows=self._rows(f, s)) for f, s in h.scenarios_of(clause.id)]
        return self._html("clause.html", path, clause=clause, scenarios=scenarios,
                          process=h.registry.process(clause.process),
                          source_name=SOURCE_REPORTS[clause.source],
                          since=h.clause_since(clause), history=h.clause_history(clause),
                          flaky_window=h.flaky_window)

    def _process(self, path: str) -> Page | None:
        h = self.handbook
        process = next((p for p in h.registry.processes if f"processes/{p.code}" == path), None)
        if process is None:
            return None
        url = self._url_maker(path)
        steps = [(step.name_zh, [(cid, h.clause_status(h.registry.get(cid)),
                                  url(f"clauses/{cid}")) for cid in step.clauses])
                 for step in process.steps]
        return self._html("process.html", path, process=process,
                          diagram=charts.process_diagram(steps),
                          rows=[r for r in export.matrix(h) if r.clause.process == process.code],
                          features=[f for f in h.features if f.process == process.code])

    def _rows(self, feature: Feature, scenario: Scenario) -> list[tuple[ExampleRow | None,
                                                                      Outcome | None]]:
        if scenario.is_outline:
            return [(row, self.handbook.latest((feature.path, scenario.line, row.index)))
                    for row in scenario.rows]
        return [(None, self.handbook.latest((feature.path, scenario.line, None)))]

    def _feature(self, path: str) -> Page | None:
        h = self.handbook
        feature = next((f for f in h.features if f"features/{f.slug}" == path), None)
        if feature is None:
            return None

        def outcome(scenario: Scenario, row: int | None) -> Outcome | None:
            return h.latest((feature.path, scenario.line, row))

        def step_status(result, step: Step) -> str | None:
            if result is None:
                return None
            return next((s.status for s in result.steps if s.line == step.line), None)

        return self._html("feature.html", path, feature=feature, outcome=outcome,
                          step_status=step_status, clause_ids=h.registry.ids,
                          scenario_status=lambda s: h.scenario_status(feature, s))

    def _data(self, relative: str) -> Page | None:
        """A data file a clause reads; only those the registry names are published."""
        if relative not in {p for c in self.handbook.registry.clauses for p in c.reads}:
            return None
        file = self.root / relative
        if not file.is_file():
            return None
        return Page(file.read_bytes(), "text/plain; charset=utf-8")

    def _phrases(self) -> list[tuple[str, list[tuple[Feature, Scenario]]]]:
        uses: dict[str, list[tuple[Feature, Scenario]]] = {}
        for feature, scenario in self.handbook.scenarios():
            for step in scenario.steps:
                uses.setdefault(step.text, []).append((feature, scenario))
        return sorted(uses.items())

    def _search_index(self) -> str:
        """What the search page looks through (clauses, scenarios, glossary), as JSON; links
        are relative to the search page, which sits at the site's top level."""
        h, url = self.handbook, self._url_maker("search")
        entries = []
        for clause in h.registry.clauses:
            status = h.clause_status(clause)
            entries.append(dict(
                kind="clause", title=f"{clause.id} {clause.source_text}",
                url=url(f"clauses/{clause.id}"), process=clause.process, status=status,
                status_zh=STATUS_ZH[status], tags=[f"@{clause.id}"],
                snippet=clause.rule,
                text=f"{clause.id} {clause.source_text} {clause.rule}"))
        for feature, scenario in h.scenarios():
            status = h.scenario_status(feature, scenario)
            processes = {h.registry.get(c).process for c in scenario.clause_ids
                         if h.registry.get(c)} or {feature.process}
            steps = " ".join(f"{s.keyword} {s.text}" for s in scenario.steps)
            entries.append(dict(
                kind="scenario", title=f"{scenario.name}（{feature.name}）",
                url=url(f"features/{feature.slug}#L{scenario.line}"),
                process=sorted(processes)[0], status=_clause_like(status),
                status_zh=STATUS_ZH[status], tags=scenario.all_tags, snippet=steps,
                text=f"{scenario.name} {feature.name} {scenario.rule or ''} {steps} "
                     f"{' '.join(scenario.all_tags)}"))
        for term, english, meaning in h.glossary:
            entries.append(dict(kind="term", title=f"{term} — {english}", url=url("glossary"),
                                process="", status="", status_zh="", tags=[],
                                snippet=meaning, text=f"{term} {english} {meaning}"))
        return json.dumps(entries, ensure_ascii=False).replace("</", "<\\/")


def _clause_like(status: str) -> str:
    """Scenario statuses filed under the clause statuses of the search's status filter."""
    return {"passed": "passing", "failed": "failing"}.get(status, "not_run")


def _is_file(path: str) -> bool:
    return path.startswith("data/") or path.endswith((".csv", ".xlsx", ".pdf"))


def when(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M（北京时间）")


def build(site: Site, out: Path) -> list[Path]:
    """Write every page and file of the site under `out`."""
    written = []
    for path in site.paths():
        page = site.page(path)
        if page is None:
            continue
        target = out / site.file_name(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        written.append(target)
    return written


def served_page(path: str, settings: HandbookSettings | None = None,
                extra_features: list[Path] | None = None) -> Page | None:
    """One page of the served handbook, from the features and results as they are now."""
    settings = settings or HandbookSettings()
    return Site(load_handbook(settings, extra_features), settings.repository()).page(path)


def build_site(out: Path, settings: HandbookSettings | None = None) -> tuple[Handbook, int]:
    """The static site under `out`; refuses (ValueError) when a scenario tag names no clause."""
    settings = settings or HandbookSettings()
    handbook = load_handbook(settings)
    unknown = handbook.unknown_tags()
    if unknown:
        raise ValueError("tags naming no clause of the registry: " + ", ".join(
            f"{u.tag} ({u.feature}:{u.line})" for u in unknown))
    return handbook, len(build(Site(handbook, settings.repository(), static=True), out))


def mining_page(db, settings: HandbookSettings | None = None) -> Page:
    """Process mining of the audit trail (served only, to auditors and administrators)."""
    from services.handbook import mining

    settings = settings or HandbookSettings()
    site = Site(load_handbook(settings), settings.repository())
    registry = site.handbook.registry
    names = {p.code: p.name_zh for p in registry.processes}
    activity = mining.activity_names(registry)
    minings = mining.mine(db, registry)
    graphs = {m.process: charts.directly_follows_graph(
        [(e.source, e.target, e.count, wait(e.median_wait_seconds)) for e in m.edges],
        m.positions, lambda a: activity.get(a, a)) for m in minings}
    return site._html("mining.html", "mining", minings=minings, wait=wait, graphs=graphs,
                      label=lambda a: f"{activity[a]}（{a}）" if a in activity else a,
                      process_name=lambda code: names.get(code, code))


def figures_page(db, settings: HandbookSettings | None = None) -> Page:
    """Each process's dashboard figures over time (served only, to auditors and
    administrators): what the nightly dashboard-figures flow recorded, one chart a figure."""
    from services.platform import figures

    settings = settings or HandbookSettings()
    site = Site(load_handbook(settings), settings.repository())
    by_process: dict[str, list] = {}
    for series in figures.series(db):
        by_process.setdefault(series.process, []).append((series, charts.figure_over_time(
            series.name_zh, [(d.isoformat(), v) for d, v in series.points], series.unit)))
    processes = [(p, by_process.pop(p.code, [])) for p in site.handbook.registry.processes]
    return site._html("figures.html", "figures", processes=processes,
                      unregistered=sorted(by_process.items()))


def wait(seconds: float) -> str:
    """A wait as a reader says it: 2天3小时, 5小时12分, 40秒."""
    seconds = int(round(seconds))
    if seconds < 0:  # events out of time order (a clock stepped back): say so, do not hide it
        return "-" + wait(-seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分{secs}秒" if minutes else f"{secs}秒"


def login_page(error: str | None = None, settings: HandbookSettings | None = None) -> Page:
    settings = settings or HandbookSettings()
    site = Site(load_handbook(settings), settings.repository())
    return site._html("login.html", "login", error=error)
