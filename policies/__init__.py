"""Pure rules and the data they read. Standard library and pydantic only: no I/O, no clock."""
