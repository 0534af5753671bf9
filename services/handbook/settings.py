"""Where the handbook finds its sources and keeps the recorded test results
(GOVFLOW_HANDBOOK_… environment variables; paths relative to the repository root)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.platform.settings import VAR_DIR


class HandbookSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVFLOW_HANDBOOK_", extra="ignore")

    # The repository the handbook reads (features/, docs/, policies/); None: the checkout this
    # package is installed from.
    root: Path | None = None
    features_dir: Path = Path("features")
    # More folders of features to show (JSON list); the handbook's own tests add a sample.
    extra_features_dirs: list[Path] = []
    glossary_file: Path = Path("docs/glossary.md")
    # One JSON file per recorded test run; the oldest beyond `runs_kept` are deleted.
    results_dir: Path = VAR_DIR / "handbook" / "runs"
    runs_kept: int = Field(default=30, ge=1, le=10_000)
    # A clause is flaky when, within its last `flaky_window` runs, it went from passing to
    # failing and back (or the other way): two changes or more.
    flaky_window: int = Field(default=5, ge=2, le=100)

    def repository(self) -> Path:
        return self.root or Path(__file__).resolve().parents[2]

    def runs_dir(self) -> Path:
        return self.results_dir if self.results_dir.is_absolute() \
            else self.repository() / self.results_dir
