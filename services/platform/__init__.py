"""The platform: what every process stands on and no process owns. The business database
(engine, unit of work, base), the audit trail, identity and access, idempotency, settings,
errors, logs, clock, validation, notifications, documents, the reference data and service
catalogue, the Prefect adapter and readiness."""
