"""Use cases, the unit of work, models, repositories, documents and adapters."""
