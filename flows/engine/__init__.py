"""The engine that runs every process's flows: the in-process executor, the runtime a worker
shares, and the typed waits for people (wait_for / wait_for_all)."""
