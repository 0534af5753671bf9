import pytest
from pydantic import ValidationError

from services.platform.settings import Settings


def test_production_refuses_the_embedded_default_secret(monkeypatch):
    monkeypatch.setenv("GOVFLOW_MODE", "production")
    with pytest.raises(ValidationError, match="GOVFLOW_SECRET_KEY"):
        Settings()


def test_production_accepts_a_real_secret(monkeypatch):
    monkeypatch.setenv("GOVFLOW_MODE", "production")
    monkeypatch.setenv("GOVFLOW_SECRET_KEY", "x" * 40)
    assert Settings().secret_key == "x" * 40


def test_embedded_mode_defaults_to_sqlite_under_var():
    settings = Settings()
    assert settings.database_url == "sqlite:///var/govflow.db"
    assert settings.port == 8000


def test_the_port_comes_from_govflow_port(monkeypatch):
    monkeypatch.setenv("GOVFLOW_PORT", "8123")
    assert Settings().port == 8123
