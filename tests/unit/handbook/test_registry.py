"""The clause registry: every clause of the article's table, validated, with every scenario
tag in features/ naming one of them."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from policies.handbook.clauses import ClauseRegistry
from services.handbook.coverage import load_handbook
from services.handbook.registry import read_registry
from tests.conftest import REPO

CLAUSE_TABLE = Path("/work/shared/POLICY-CLAUSES.md")  # the article's table, where present
IDS = ("HC-11a HC-11b HC-11c HC-11d HC-11e HC-14a HC-14b HC-12 HC-03 QL-10a QL-10b QL-10c "
       "QL-09 HC-01 LK-01 QL-11a QL-11b LK-09 QL-12 LK-13a LK-13b QL-14 LK-09b QL-07 LK-06 "
       "QL-06 QL-05 HC-08 LK-02 QL-12b").split()


def test_the_registry_holds_every_clause_of_the_table_once():
    registry = read_registry()
    assert [c.id for c in registry.clauses] == IDS
    assert registry.get("HC-11e").source_text == '让"最多跑一次""一次就办好"'
    assert registry.get("QL-10a").process == "meetings"


@pytest.mark.skipif(not CLAUSE_TABLE.is_file(), reason="the shared clause table is not here")
def test_the_source_texts_are_the_tables_own():
    table = {m.group(1): m.group(2) for m in re.finditer(
        r"^\| ([A-Z]{2}-\d+[a-z]?) \| (.*?) \|", CLAUSE_TABLE.read_text("utf-8"), re.M)}
    assert {c.id: c.source_text for c in read_registry().clauses} == table


def test_every_data_file_a_clause_reads_exists():
    missing = [(c.id, p) for c in read_registry().clauses for p in c.reads
               if not (REPO / p).is_file()]
    assert missing == []


def test_every_clause_tag_in_the_features_names_a_clause_of_the_registry():
    handbook = load_handbook()
    assert handbook.unknown_tags() == []
    assert len(handbook.scenarios()) > 0


def _registry(**clause) -> dict:
    entry = {"id": "HC-11e", "source": "HC", "process": "one_stop", "core": True,
             "source_text": "最多跑一次", "rule": "at most one visit",
             "effective_from": "2026-01-01"} | clause
    return {"processes": [{"code": "one_stop", "name_zh": "一站式审批", "name_en": "one-stop"}],
            "clauses": [entry]}


@pytest.mark.parametrize(("change", "message"), [
    ({"source": "QL"}, "prefix names the report"),
    ({"process": "grid"}, "unknown process 'grid'"),
    ({"effective_to": "2025-12-31"}, "effective_to is before effective_from"),
    ({"reads": ["../secrets.yaml"]}, "not a file under policies/"),
    ({"id": "HC-11"}, None),
])
def test_a_broken_entry_is_refused_naming_the_clause(change, message):
    data = _registry(**change)
    if message is None:
        assert ClauseRegistry.model_validate(data).get("HC-11")
        return
    with pytest.raises(ValidationError, match=re.escape(message)):
        ClauseRegistry.model_validate(data)


def test_a_clause_listed_twice_is_refused():
    data = _registry()
    data["clauses"] *= 2
    with pytest.raises(ValidationError, match="listed twice"):
        ClauseRegistry.model_validate(data)


def test_a_case_trail_claimed_by_two_processes_is_refused():
    data = _registry()
    trail = {"processes": ["approval"], "opened_by": ["application.received"]}
    data["processes"] = [data["processes"][0] | {"cases": trail},
                         {"code": "grid", "name_zh": "网格闭环", "name_en": "grid",
                          "cases": trail | {"processes": ["grid-loop"]}}]
    with pytest.raises(ValidationError, match=r"cases.opened_by named by two processes"):
        ClauseRegistry.model_validate(data)


def test_a_case_belongs_to_the_process_its_start_or_its_first_action_names():
    registry = read_registry()
    assert registry.process_of_case("approval", "case.started") == "one_stop"
    assert registry.process_of_case(None, "application.received") == "one_stop"
    assert registry.process_of_case(None, "issue.reported") == "grid"
    assert registry.process_of_case("project-approval", "case.started") == "project_approval"
    assert registry.process_of_case(None, "case.completed") is None
