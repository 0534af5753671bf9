"""`govflow load-reference` tells which grids lack their leader or one of the five (QL-06)."""

from tests.integration.test_cli import govflow


def test_load_reference_reports_the_grid_without_a_sanitation_member(fresh_db):
    result = govflow(fresh_db, "load-reference")
    assert result.returncode == 0, result.stderr
    assert "grid haicang-street-aoguan-g02 staffing incomplete (1+5+N): 缺环卫人员" in (
        result.stdout)
    assert result.stdout.count("staffing incomplete") == 1
