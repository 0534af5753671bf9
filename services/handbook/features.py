"""Feature files read with the Gherkin parser pytest-bdd itself uses (gherkin-official), kept as
written: the zh-CN keywords, descriptions, rules, backgrounds, data tables and outlines."""

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from gherkin.errors import CompositeParserException
from gherkin.parser import Parser

CLAUSE_TAG = re.compile(r"^@((?:HC|LK|QL)-\d{2}[a-z]?)$")
CLAUSE_LIKE_TAG = re.compile(r"^@[A-Z]{2}-")


class FeatureError(ValueError):
    """A feature file the Gherkin parser refuses; names the file and the line."""


@dataclass(frozen=True)
class Step:
    keyword: str
    text: str
    line: int
    table: list[list[str]] | None = None
    doc_string: str | None = None


@dataclass(frozen=True)
class ExampleRow:
    index: int  # across all example blocks of the outline, as pytest-bdd numbers them
    line: int
    cells: list[str]


@dataclass(frozen=True)
class Examples:
    keyword: str
    name: str
    tags: list[str]
    header: list[str]
    rows: list[ExampleRow]


@dataclass(frozen=True)
class Scenario:
    keyword: str
    name: str
    line: int
    description: str
    tags: list[str]  # the scenario's own tags, as written
    inherited_tags: list[str]  # the feature's and the rule's
    steps: list[Step]
    examples: list[Examples] = field(default_factory=list)
    rule: str | None = None

    @property
    def is_outline(self) -> bool:
        return bool(self.examples)

    @property
    def all_tags(self) -> list[str]:
        extra = [t for block in self.examples for t in block.tags]
        return list(dict.fromkeys(self.inherited_tags + self.tags + extra))

    @property
    def clause_ids(self) -> list[str]:
        return [m.group(1) for t in self.all_tags if (m := CLAUSE_TAG.match(t))]

    @property
    def rows(self) -> list[ExampleRow]:
        return [row for block in self.examples for row in block.rows]


@dataclass(frozen=True)
class Background:
    keyword: str
    name: str
    description: str
    steps: list[Step]


@dataclass(frozen=True)
class Rule:
    keyword: str
    name: str
    line: int
    description: str
    tags: list[str]
    background: Background | None
    scenarios: list[Scenario]


@dataclass(frozen=True)
class Feature:
    path: str  # relative to the repository root, with forward slashes: the results' key
    language: str
    keyword: str
    name: str
    description: str
    tags: list[str]
    background: Background | None
    scenarios: list[Scenario]  # outside any rule
    rules: list[Rule]

    @property
    def slug(self) -> str:
        """The page's address: the path under its features folder, without `.feature`."""
        return self.path.split("/", 1)[-1].removesuffix(".feature")

    @property
    def process(self) -> str:
        return self.slug.split("/")[0]

    def all_scenarios(self) -> list[Scenario]:
        return self.scenarios + [s for r in self.rules for s in r.scenarios]


def read_features(root: Path, base: Path) -> list[Feature]:
    """Every `*.feature` under `root`, paths taken relative to `base` (the repository root)."""
    return [_parsed(path, base, *_version(path)) for path in sorted(root.rglob("*.feature"))]


def _version(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=512)
def _parsed(path: Path, base: Path, mtime_ns: int, size: int) -> Feature:
    """A feature file parsed once per version: every served page reads every feature."""
    return read_feature(path, base)


def read_feature(path: Path, base: Path) -> Feature:
    try:
        rel = path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:  # a folder outside the repository: keyed by its full path
        rel = path.resolve().as_posix().lstrip("/")
    try:
        document = Parser().parse(path.read_text(encoding="utf-8"))
    except CompositeParserException as exc:
        raise FeatureError(f"{rel}: {exc}") from exc
    data = document["feature"]
    tags = _tags(data)
    background, scenarios, rules = None, [], []
    for child in data["children"]:
        if "background" in child:
            background = _background(child["background"])
        elif "scenario" in child:
            scenarios.append(_scenario(child["scenario"], tags, None))
        elif "rule" in child:
            rules.append(_rule(child["rule"], tags))
    return Feature(path=rel, language=data["language"], keyword=data["keyword"],
                   name=data["name"], description=_text(data["description"]), tags=tags,
                   background=background, scenarios=scenarios, rules=rules)


def _rule(data: dict, feature_tags: list[str]) -> Rule:
    tags = _tags(data)
    background, scenarios = None, []
    for child in data["children"]:
        if "background" in child:
            background = _background(child["background"])
        elif "scenario" in child:
            scenarios.append(_scenario(child["scenario"], feature_tags + tags, data["name"]))
    return Rule(keyword=data["keyword"], name=data["name"], line=data["location"]["line"],
                description=_text(data["description"]), tags=tags, background=background,
                scenarios=scenarios)


def _scenario(data: dict, inherited: list[str], rule: str | None) -> Scenario:
    examples, index = [], 0
    for block in data.get("examples", []):
        rows = []
        for row in block.get("tableBody", []):
            rows.append(ExampleRow(index=index, line=row["location"]["line"],
                                   cells=[c["value"] for c in row["cells"]]))
            index += 1
        header = block.get("tableHeader")
        examples.append(Examples(keyword=block["keyword"], name=block["name"], tags=_tags(block),
                                 header=[c["value"] for c in header["cells"]] if header else [],
                                 rows=rows))
    return Scenario(keyword=data["keyword"], name=data["name"], line=data["location"]["line"],
                    description=_text(data["description"]), tags=_tags(data),
                    inherited_tags=inherited, steps=[_step(s) for s in data["steps"]],
                    examples=examples, rule=rule)


def _background(data: dict) -> Background:
    return Background(keyword=data["keyword"], name=data["name"],
                      description=_text(data["description"]),
                      steps=[_step(s) for s in data["steps"]])


def _step(data: dict) -> Step:
    table = data.get("dataTable")
    doc = data.get("docString")
    return Step(keyword=data["keyword"].strip(), text=data["text"],
                line=data["location"]["line"],
                table=[[c["value"] for c in row["cells"]] for row in table["rows"]]
                if table else None,
                doc_string=doc["content"] if doc else None)


def _tags(data: dict) -> list[str]:
    return [t["name"] for t in data.get("tags", [])]


def _text(description: str) -> str:
    """A description as written, without the indentation Gherkin keeps."""
    return "\n".join(line.strip() for line in description.splitlines()).strip()
