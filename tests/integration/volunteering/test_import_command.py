"""`govflow volunteers import` as a district's operator runs it, with CSV exports."""

import csv

from services.volunteering import importer, reference
from tests.integration.test_cli import govflow


def _csv(xlsx, path):
    import openpyxl

    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def test_the_import_command_refuses_a_bad_sheet_whole_then_imports_a_good_one(fresh_db,
                                                                               tmp_path):
    district = reference.generated_district(6, 60, 3, seed=2)
    importer.write_workbooks(district, tmp_path / "u.xlsx", tmp_path / "m.xlsx")
    _csv(tmp_path / "u.xlsx", tmp_path / "units.csv")
    _csv(tmp_path / "m.xlsx", tmp_path / "members.csv")
    text = (tmp_path / "units.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "bad.csv").write_text(text.replace("海沧社区", "不存在社区", 1),
                                      encoding="utf-8-sig")
    refused = govflow(fresh_db, "volunteers", "import", str(tmp_path / "bad.csv"),
                      str(tmp_path / "members.csv"))
    assert refused.returncode == 2
    assert "bad.csv 第2行 包保社区：没有“不存在社区”这个社区" in refused.stdout
    assert "nothing imported" in refused.stdout
    done = govflow(fresh_db, "volunteers", "import", str(tmp_path / "units.csv"),
                   str(tmp_path / "members.csv"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 units" in done.stdout and "60 members" in done.stdout
