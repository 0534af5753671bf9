"""The `govflow` command: set up, run and look after an installation."""

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.supervisor import StackRole
from policies.access import Actor, Role
from policies.reference import ReferenceDataError
from services.grid.reference import staffing_report
from services.platform import audit_trail, identity, reference_data, runtime
from services.platform.db.migrate import upgrade
from services.platform.identity import UserCreate
from services.platform.orchestration import Prefect
from services.platform.settings import Settings, get_settings
from services.work import process_versions
from services.work import reconcile as reconciler

app = typer.Typer(help="govflow: cross-department government processes on Prefect.",
                  no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
processes_app = typer.Typer(help="Process versions.", no_args_is_help=True)
handbook_app = typer.Typer(help="The policy handbook (clause → rule → result).",
                           no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(processes_app, name="processes")
app.add_typer(handbook_app, name="handbook")
volunteers_app = typer.Typer(help="Volunteer scheduling (双报到).", no_args_is_help=True)
app.add_typer(volunteers_app, name="volunteers")
console = Console()


@app.command()
def migrate(prefect: Annotated[bool, typer.Option(
        help="also Prefect's database, once for all its replicas (--role prefect-api)")] = False,
            ) -> None:
    """Bring the business database to the newest schema."""
    rt = runtime.build()
    upgrade(rt.db)
    console.print(f"[green]migrated[/] {_safe_url(rt.settings.database_url)}")
    if prefect:
        from api.supervisor import migrate_prefect

        migrate_prefect(rt.settings)
        console.print(f"[green]migrated[/] {_safe_url(rt.settings.prefect_database_url or '')}")


@app.command("load-reference")
def load_reference(directory: Annotated[Path | None, typer.Option(
        help="a folder of reference files to use instead of policies/data")] = None) -> None:
    """Validate the reference data and load it into the business database."""
    rt = runtime.build()
    try:
        data = reference_data.read_reference(directory)
    except ReferenceDataError as exc:
        console.print(f"[red]reference data refused:[/] {exc}")
        raise typer.Exit(2) from None
    report = reference_data.load_reference(rt.db, data, _system("load-reference"))
    table = Table("table", "added", "updated", "unchanged")
    for name, load in report.items():
        table.add_row(name, str(len(load.added)), str(len(load.updated)), str(load.unchanged))
    console.print(table)
    _report_grid_staffing(rt.db)


def _report_grid_staffing(db) -> None:
    """Grids short of their leader or one of the five types (QL-06): told, not refused."""
    for grid, lacking in staffing_report(db).items():
        console.print(f"[yellow]grid {grid} staffing incomplete (1+5+N):[/] {'、'.join(lacking)}")


@users_app.command("create")
def users_create(
    username: str, role: Role, full_name: Annotated[str, typer.Option("--name")],
    department: str | None = None, station: str | None = None, org_unit: str | None = None,
    password: Annotated[str | None, typer.Option(
        help="generated and printed when omitted")] = None,
) -> None:
    """Create a staff account (the only way to create one outside the embedded mode)."""
    rt = runtime.build()
    password = password or secrets.token_urlsafe(12)
    data = UserCreate(username=username, full_name=full_name, password=password, role=role,
                      department=department, station=station, org_unit=org_unit)
    user = identity.create_user(rt.db, _system("users-create"), data)
    console.print(f"created [bold]{user.username}[/] ({user.role.value}); password: {password}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the audit trail's hash chain; exit 1 at the first broken event."""
    report = audit_trail.verify_chain(runtime.build().db)
    if report.intact:
        console.print(f"[green]audit chain intact[/]: {report.checked} events")
        return
    console.print(f"[red]audit chain broken at event {report.first_broken_seq}[/]: "
                  f"{report.reason} ({report.checked} events before it are intact)")
    raise typer.Exit(1)


@processes_app.command("publish")
def processes_publish(process: str, version: int) -> None:
    """New cases of PROCESS start on VERSION from now on; cases in flight keep theirs."""
    process_versions.publish(runtime.build().db, _system("processes-publish"), process, version)
    console.print(f"new {process} cases start on version {version}")


@processes_app.command("migrate")
def processes_migrate(process: str, to: Annotated[int, typer.Option(help="target version")],
                      apply: Annotated[bool, typer.Option(
                          help="move the cases; without it, only list what would change")
                      ] = False) -> None:
    """List (and with --apply, move) the cases in flight that are not on version TO."""
    rt = runtime.build()
    lines = process_versions.plan(rt.db, process, to)
    table = Table("case", "from", "waiting at", "adds", "removes")
    for line in lines:
        table.add_row(str(line.case_id), f"v{line.from_version}", ", ".join(line.waiting_at),
                      ", ".join(line.adds), ", ".join(line.removes))
    console.print(table)
    if not apply:
        console.print(f"{len(lines)} case(s) would move to v{to}; --apply moves them")
        return
    prefect = Prefect(rt.settings.prefect_api_url)
    moved = process_versions.apply(rt.db, prefect, _system("processes-migrate"), lines, to)
    console.print(f"moved {len(moved)} of {len(lines)} case(s) to v{to}: {moved}")
    if len(moved) < len(lines):
        raise typer.Exit(1)


@handbook_app.command("build")
def handbook_build(out: Annotated[Path, typer.Option(
        help="folder to write the static site to (opens from disk, no network)")]) -> None:
    """Build the handbook as a static site from features/, the clause registry and the
    recorded test results; fails if a scenario tag names no clause."""
    from services.handbook.site import build_site

    try:
        handbook, files = build_site(out)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    counts = handbook.counts(handbook.registry.clauses)
    console.print(f"wrote {files} files to {out}; open {out / 'index.html'}")
    console.print(f"{len(handbook.registry.clauses)} clauses: " + ", ".join(
        f"{n} {status}" for status, n in counts.items()))
@volunteers_app.command("import")
def volunteers_import(units: Path, members: Path) -> None:
    """Import units with their contracted projects and members (XLSX or CSV); all or nothing."""
    from services.volunteering import importer, reference

    names = {name: code for code, name, _ in reference.district_communities()}
    names |= {code: code for code in names.values()}
    try:
        counts = importer.import_spreadsheets(runtime.build().db, _system("volunteers-import"),
                                              units, members, names)
    except importer.ImportRefused as refused:
        for error in refused.errors:
            console.print(f"[red]{error}[/]")
        console.print(f"[red]nothing imported[/]: {len(refused.errors)} errors")
        raise typer.Exit(2) from None
    console.print(f"imported {counts['units']} units, {counts['projects']} projects, "
                  f"{counts['members']} members")


@app.command()
def reconcile(stuck_after: Annotated[float | None, typer.Option(
                  help="seconds a run may stay Running or Pending before it counts as stuck "
                       "(default: GOVFLOW_RECONCILE_STUCK_AFTER_SECONDS, as the scheduled "
                       "reconciler)")] = None,
              apply: Annotated[bool, typer.Option(
                  help="re-drive the cases found; without it, only list them")] = True) -> None:
    """Find cases in progress whose flow run is missing, ended or stuck, and re-drive them."""
    rt = runtime.build()
    with Prefect(rt.settings.prefect_api_url) as prefect:
        findings = reconciler.find(rt.db, prefect, timedelta(seconds=stuck_after)
                                   if stuck_after else rt.settings.reconcile_stuck_after)
    table = Table("case", "flow run", "problem", "state")
    for f in findings:
        table.add_row(str(f.case_id), f.flow_run_id or "-", f.problem, f.state or "-")
    console.print(table)
    if apply:
        redriven = reconciler.redrive(rt.db, _system("reconcile"), findings)
        console.print(f"re-drove {len(redriven)} case(s): {redriven}")


@app.command()
def up(role: Annotated[StackRole, typer.Option(
        help="all: the embedded stack; or one part on a machine of its own")] = StackRole.ALL,
       ) -> None:
    """Migrate, load reference data, start Prefect server, worker and API; Ctrl-C stops all.
    With --role, start one part only (the database migrated beforehand: govflow migrate)."""
    from api.supervisor import (
        ChildExited,
        Stack,
        addresses,
        role_problem,
        start_role,
        stop_on_signals,
    )

    settings = get_settings()
    if problem := role_problem(role, settings):
        console.print(f"[red]{problem}[/]")
        raise typer.Exit(2)
    if role is StackRole.ALL:
        prepare(settings)
    stack = Stack(settings)
    try:
        stop_on_signals()
        start_role(stack, role)
        _print_urls(addresses(role, settings))
        stack.supervise(report=console.print)
    except KeyboardInterrupt:
        console.print("stopping …")
    except (ChildExited, TimeoutError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    finally:
        stack.stop()


def prepare(settings: Settings) -> None:
    """Migrate, load the reference data and, in the embedded mode only, the demo accounts."""
    rt = runtime.build(settings)
    upgrade(rt.db)
    data = reference_data.read_reference()
    reference_data.load_reference(rt.db, data, _system("up"))
    console.print(f"database ready: {_safe_url(settings.database_url)}")
    if settings.mode == "embedded":
        _demo_accounts(rt.db, settings.demo_password)


def _demo_accounts(db, password: str | None) -> None:
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    created = identity.ensure_demo_accounts(db, password)
    if not created:
        console.print("demo accounts exist already, with the password printed when they were "
                      "created (GOVFLOW_DEMO_PASSWORD, if it was set); "
                      "`govflow users create` makes another admin")
        return
    console.print(f"[bold]{len(created)} demo accounts[/], password "
                  f"[bold yellow]{password}[/]" + (" (generated)" if generated else ""))
    console.print(", ".join(u.username for u in created), soft_wrap=True)


def _print_urls(shown: list[tuple[str, str]]) -> None:
    table = Table("what", "where", show_header=False)
    for what, where in shown:
        table.add_row(what, where)
    console.print(table)
    console.print("govflow is up. Ctrl-C stops everything.")


def _system(command: str) -> Actor:
    return Actor(username=f"system:{command}", role=Role.ADMIN)


def _safe_url(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url
