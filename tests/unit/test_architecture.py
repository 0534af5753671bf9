"""The direction of dependencies is a contract, checked on every test run."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

POLICIES_MAY_IMPORT = {
    "pydantic", "datetime", "decimal", "enum", "typing", "re", "dataclasses",
    "functools", "collections", "itertools", "math", "__future__", "policies",
}
NO_IO_CALLS = {"open", "print", "input", "eval", "exec"}


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--config", str(REPO / "pyproject.toml")], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_policies_imports_only_the_standard_library_it_needs_and_pydantic():
    for path, tree in _policy_modules():
        for node in ast.walk(tree):
            for name in _imported(node):
                assert name.split(".")[0] in POLICIES_MAY_IMPORT, f"{path}: imports {name}"


def test_policies_calls_no_io_builtins():
    for path, tree in _policy_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in NO_IO_CALLS, f"{path}:{node.lineno} {node.func.id}()"


def _policy_modules():
    for path in sorted((REPO / "policies").rglob("*.py")):
        yield path.relative_to(REPO), ast.parse(path.read_text(encoding="utf-8"))


def _imported(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return [node.module]
    return []
