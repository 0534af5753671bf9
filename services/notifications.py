"""The notification channel is an adapter; the embedded mode logs each message."""

import logging

log = logging.getLogger("govflow.notifications")


def send(message: dict) -> None:
    log.info("notify %s: %s — %s", message["to"], message["subject"], message["body"])
