"""Units, their contracted projects and members from the spreadsheets districts keep (XLSX or
CSV), validated row by row; any error names sheet, row and column, and nothing is imported."""

import csv
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from policies.access import Actor
from policies.volunteering.model import (
    AVAILABILITY_BY_ZH,
    AVAILABILITY_ZH,
    CHARGING_BY_ZH,
    CHARGING_ZH,
    PROJECT_TYPE_BY_ZH,
    PROJECT_TYPE_ZH,
)
from services.platform import audit
from services.platform.db.uow import Database
from services.volunteering.models import VolunteerMember, VolunteerProject, VolunteerUnit

UNIT_COLUMNS = {"单位编码": "unit", "单位名称": "unit_name", "包保社区": "community",
                "项目编码": "project", "项目名称": "project_name", "项目类型": "type",
                "收费方式": "charging", "容量": "capacity", "活动时间": "times"}
MEMBER_COLUMNS = {"党员编号": "code", "姓名": "name", "单位编码": "unit", "报到社区": "home",
                  "认领项目": "claimed", "可参加时段": "availability", "每月次数": "requested"}
FIELD_COLUMN = {v: k for k, v in (UNIT_COLUMNS | MEMBER_COLUMNS).items()}
WEEKDAYS = {"周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6}
PARTS = {"上午": "am", "下午": "pm", "晚上": "evening"}
PARTS_ZH = {v: k for k, v in PARTS.items()}
WEEKDAYS_ZH = {v: k for k, v in WEEKDAYS.items()}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet} 第{self.row}行 {self.column}：{self.message}"


class ImportRefused(ValueError):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors; first: {errors[0]}")
        self.errors = errors


class UnitRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit: str = Field(min_length=1, max_length=32)
    unit_name: str = Field(min_length=1, max_length=128)
    community: str
    project: str = Field(min_length=1, max_length=32)
    project_name: str = Field(min_length=1, max_length=128)
    type: str
    charging: str
    capacity: int = Field(ge=2, le=500)
    times: list[tuple[int, str]]

    @field_validator("type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in PROJECT_TYPE_BY_ZH:
            raise ValueError(f"不是已知项目类型（{'、'.join(PROJECT_TYPE_BY_ZH)}）")
        return PROJECT_TYPE_BY_ZH[v].value

    @field_validator("charging")
    @classmethod
    def _charging(cls, v: str) -> str:
        if v not in CHARGING_BY_ZH:
            raise ValueError("应为 无偿、低偿 或 有偿")
        return CHARGING_BY_ZH[v].value

    @field_validator("times", mode="before")
    @classmethod
    def _times(cls, v):
        out = []
        for part in str(v or "").replace(",", "、").split("、"):
            part = part.strip()
            if part[:2] not in WEEKDAYS or part[2:] not in PARTS:
                raise ValueError(f"“{part}”应形如 周六上午、周二晚上")
            out.append((WEEKDAYS[part[:2]], PARTS[part[2:]]))
        return out


class MemberRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=64)
    unit: str
    home: str
    claimed: list[str] = Field(min_length=1)
    availability: str
    requested: int = Field(ge=1, le=2)

    @field_validator("claimed", mode="before")
    @classmethod
    def _claimed(cls, v):
        names = [x.strip() for x in str(v or "").replace(",", "、").split("、") if x.strip()]
        unknown = [n for n in names if n not in PROJECT_TYPE_BY_ZH]
        if unknown:
            raise ValueError(f"未知项目类型 {'、'.join(unknown)}")
        return [PROJECT_TYPE_BY_ZH[n].value for n in names]

    @field_validator("availability")
    @classmethod
    def _availability(cls, v: str) -> str:
        if v not in AVAILABILITY_BY_ZH:
            raise ValueError("应为 周末、工作日晚上 或 均可")
        return AVAILABILITY_BY_ZH[v].value


def read_rows(path: Path, columns: dict[str, str]) -> tuple[str, list[tuple[int, dict]]]:
    """(sheet name, [(row number as the secretary sees it, {field: value})])."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = list(csv.reader(f))
        sheet = path.name
    else:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = book.worksheets[0]
        sheet = ws.title
        table = [["" if c is None else str(c) for c in row]
                 for row in ws.iter_rows(values_only=True)]
        book.close()
    header = [h.strip() for h in table[0]] if table else []
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportRefused([RowError(sheet, 1, c, "缺少此列") for c in missing])
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        cells = dict(zip(header, values, strict=False))
        rows.append((number, {field: cells.get(col, "") for col, field in columns.items()}))
    return sheet, rows


def parse(units_path: Path, members_path: Path, communities: dict[str, str]):
    """communities: name_zh or code -> code. Returns (units, members) or raises ImportRefused."""
    errors: list[RowError] = []
    unit_sheet, unit_rows = read_rows(units_path, UNIT_COLUMNS)
    member_sheet, member_rows = read_rows(members_path, MEMBER_COLUMNS)
    units = _validated(UnitRow, unit_sheet, unit_rows, errors)
    for number, row in units:
        if row.community not in communities:
            errors.append(RowError(unit_sheet, number, "包保社区",
                                   f"没有“{row.community}”这个社区"))
    known_units = {str(raw["unit"]).strip() for _, raw in unit_rows}
    unit_errors, errors = errors, []
    members = _validated(MemberRow, member_sheet, member_rows, errors)
    seen: dict[str, int] = {}
    for number, row in members:
        if row.unit not in known_units:
            errors.append(RowError(member_sheet, number, "单位编码", f"单位表中没有“{row.unit}”"))
        if row.home not in communities:
            errors.append(RowError(member_sheet, number, "报到社区", f"没有“{row.home}”这个社区"))
        if row.code in seen:
            errors.append(RowError(member_sheet, number, "党员编号",
                                   f"与第{seen[row.code]}行重复"))
        seen.setdefault(row.code, number)
    if unit_errors or errors:
        by_row = lambda e: e.row  # noqa: E731
        raise ImportRefused(sorted(unit_errors, key=by_row) + sorted(errors, key=by_row))
    return [r for _, r in units], [r for _, r in members]


def _validated(model, sheet, rows, errors):
    out = []
    for number, raw in rows:
        try:
            out.append((number, model.model_validate(raw)))
        except ValidationError as exc:
            for e in exc.errors():
                field = str(e["loc"][0]) if e["loc"] else ""
                message = e["msg"].removeprefix("Value error, ")
                errors.append(RowError(sheet, number, FIELD_COLUMN.get(field, field), message))
    return out


def import_spreadsheets(db: Database, actor: Actor, units_path: Path, members_path: Path,
                        communities: dict[str, str]) -> dict[str, int]:
    units, members = parse(units_path, members_path, communities)

    def work(uow) -> dict[str, int]:
        s = uow.session
        for row in units:
            s.merge(VolunteerUnit(code=row.unit, name_zh=row.unit_name,
                                  community=communities[row.community]))
        s.flush()
        for row in units:
            s.merge(VolunteerProject(code=row.project, unit_code=row.unit,
                                     name_zh=row.project_name, type=row.type,
                                     charging=row.charging, capacity=row.capacity,
                                     patterns=[list(t) for t in row.times]))
        for row in members:
            old = s.get(VolunteerMember, row.code)
            s.merge(VolunteerMember(code=row.code, name_zh=row.name, unit_code=row.unit,
                                    home=communities[row.home], availability=row.availability,
                                    claimed=row.claimed, requested=row.requested,
                                    history=old.history if old else 0))
        counts = {"units": len({r.unit for r in units}), "projects": len(units),
                  "members": len(members)}
        audit.record(s, actor, action="volunteers.imported", subject_type="volunteer_import",
                     subject_id=f"{units_path.name}+{members_path.name}", after=counts)
        uow.commit()
        return counts

    return db.run(work)


def write_workbooks(district, units_path: Path, members_path: Path) -> None:
    """The generator's district as the two spreadsheets a district keeps (tests, demos)."""
    names = {c.code: c.name_zh for c in district.communities}
    units = {u.code: u for u in district.units}
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("单位")
    ws.append(list(UNIT_COLUMNS))
    for c in district.contracts:
        for p in c.projects:
            times = "、".join(WEEKDAYS_ZH[t.weekday] + PARTS_ZH[t.part] for t in p.patterns)
            ws.append([c.unit, units[c.unit].name_zh, names[c.community], p.code, p.name_zh,
                       PROJECT_TYPE_ZH[p.type], CHARGING_ZH[p.charging], p.capacity, times])
    book.save(units_path)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("党员")
    ws.append(list(MEMBER_COLUMNS))
    for m in district.members:
        ws.append([m.code, m.name_zh, m.unit, names[m.home],
                   "、".join(PROJECT_TYPE_ZH[t] for t in sorted(m.claimed)),
                   AVAILABILITY_ZH[m.availability], m.requested])
    book.save(members_path)
