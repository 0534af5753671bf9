"""Logging that never writes a citizen ID or phone number in full."""

import logging

from policies.personal_data import mask_in_text


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_in_text(record.getMessage())
        record.args = None
        return True


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def configure_own(level: int = logging.INFO, name: str = "govflow") -> None:
    """govflow's loggers in a process whose root logging another library set up (the worker:
    Prefect's, which keeps the root at WARNING and would drop, among others, the embedded
    channel's line for each notification it sends)."""
    handler = logging.StreamHandler()
    handler.addFilter(MaskPersonalData())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    own = logging.getLogger(name)
    own.handlers[:] = [handler]
    own.setLevel(level)
    own.propagate = False
