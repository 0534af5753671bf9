"""Prefect flows: one module per governance process, read top to bottom as the process."""
