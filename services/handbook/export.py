"""The coverage matrix as rows, and exported to CSV and XLSX (openpyxl) for filing."""

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from policies.handbook.clauses import Clause
from services.handbook.coverage import STATUS_ZH, Handbook, Since

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["条款", "来源", "流程", "原文", "规则", "场景数", "状态", "起始", "不稳定",
          "生效自", "生效至"]
FILLS = {"passing": "E3F4E6", "failing": "FDE5E3", "not_run": "ECEFF2", "uncovered": "FFF2D6"}


@dataclass(frozen=True)
class MatrixRow:
    clause: Clause
    status: str
    scenarios: int
    since: Since


def matrix(handbook: Handbook) -> list[MatrixRow]:
    return [MatrixRow(clause=c, status=handbook.clause_status(c),
                      scenarios=len(handbook.scenarios_of(c.id)), since=handbook.clause_since(c))
            for c in handbook.registry.clauses]


def _cells(handbook: Handbook, row: MatrixRow) -> list:
    c = row.clause
    return [c.id, c.source, handbook.registry.process(c.process).name_zh, c.source_text, c.rule,
            row.scenarios, STATUS_ZH[row.status],
            row.since.since.isoformat() if row.since.since else "",
            "是" if row.since.flaky else "", c.effective_from.isoformat(),
            c.effective_to.isoformat() if c.effective_to else ""]


def _title(handbook: Handbook) -> list[str]:
    run = handbook.last_run
    if run is None:
        return ["测试结果", "尚无"]
    return ["测试结果", run.finished_at.isoformat(), "提交", run.commit or "未知"]


def coverage_csv(handbook: Handbook) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in matrix(handbook):
        writer.writerow(_cells(handbook, row))
    writer.writerow([])
    writer.writerow(_title(handbook))
    # With a byte-order mark, Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def coverage_xlsx(handbook: Handbook) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "覆盖矩阵"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in matrix(handbook):
        sheet.append(_cells(handbook, row))
        sheet.cell(sheet.max_row, 7).fill = PatternFill("solid", fgColor=FILLS[row.status])
    sheet.append([])
    sheet.append(_title(handbook))
    for column, width in zip("ABCDEFGHIJK", (9, 6, 12, 40, 60, 8, 8, 26, 7, 11, 11),
                             strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
