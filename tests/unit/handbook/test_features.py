"""Features read with the Gherkin parser pytest-bdd uses, kept as written."""

from pathlib import Path

from policies.handbook.clauses import ClauseRegistry
from services.handbook.coverage import Handbook
from services.handbook.features import read_feature
from services.handbook.registry import read_registry

FEATURE = """\
# language: zh-CN
@HC-11e
功能: 一次性告知
  申请材料不全时一次告知全部缺件（本项目设定的样例）。

  背景:
    假如 海沧街道服务站开门办公

  规则: 缺件一次告知

    @HC-11b
    场景: 缺两件材料时一次列明
      假如 申请人提交了以下材料:
        | 材料     | 份数 |
        | 身份证   | 1    |
      当 窗口人员审核材料
      那么 告知书列明缺少的2件材料

    场景大纲: 现场次数
      当 申请人到现场<次数>次
      那么 结果是<结果>

      例子: 限度上下
        | 次数 | 结果 |
        | 0    | 符合 |
        | 1    | 符合 |

      @HC-99z
      例子: 超过限度
        | 次数 | 结果   |
        | 2    | 不符合 |
"""


def _feature(tmp_path: Path):
    path = tmp_path / "features" / "one_stop" / "notice.feature"
    path.parent.mkdir(parents=True)
    path.write_text(FEATURE, encoding="utf-8")
    return read_feature(path, tmp_path)


def test_zh_cn_keywords_rules_backgrounds_and_tables_are_kept(tmp_path):
    feature = _feature(tmp_path)
    assert (feature.path, feature.slug, feature.process) == (
        "features/one_stop/notice.feature", "one_stop/notice", "one_stop")
    assert (feature.keyword, feature.language) == ("功能", "zh-CN")
    assert feature.description.startswith("申请材料不全时")
    assert feature.background.steps[0].keyword == "假如"
    rule = feature.rules[0]
    assert (rule.keyword, rule.name) == ("规则", "缺件一次告知")
    first = rule.scenarios[0]
    assert first.steps[0].table == [["材料", "份数"], ["身份证", "1"]]
    assert first.clause_ids == ["HC-11e", "HC-11b"]  # the feature's tag, then its own


def test_an_outline_has_one_row_per_example_numbered_across_blocks(tmp_path):
    outline = _feature(tmp_path).rules[0].scenarios[1]
    assert outline.keyword == "场景大纲"
    assert [(r.index, r.cells) for r in outline.rows] == [
        (0, ["0", "符合"]), (1, ["1", "符合"]), (2, ["2", "不符合"])]
    assert [b.name for b in outline.examples] == ["限度上下", "超过限度"]


def test_a_tag_naming_no_clause_is_reported_with_its_file_and_line(tmp_path):
    handbook = Handbook(registry=read_registry(), features=[_feature(tmp_path)], runs=[])
    [unknown] = handbook.unknown_tags()
    assert (unknown.feature, unknown.line, unknown.tag) == (
        "features/one_stop/notice.feature", 19, "@HC-99z")


def test_a_clause_no_scenario_names_is_uncovered(tmp_path):
    registry = read_registry()
    handbook = Handbook(registry=ClauseRegistry.model_validate(registry.model_dump()),
                        features=[_feature(tmp_path)], runs=[])
    assert handbook.clause_status(registry.get("QL-10a")) == "uncovered"
    assert handbook.clause_status(registry.get("HC-11e")) == "not_run"
