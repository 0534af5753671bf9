"""The monthly volunteer plan (双报到) as a Prefect flow."""
