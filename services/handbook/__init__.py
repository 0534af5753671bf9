"""The living policy handbook: the clause registry, the features that encode each clause and the
results the test runs recorded, as web pages (served at /handbook and built as a static site).

Not a process: it reads features/, policies/ and the recorded results, and imports only the
platform and policies (an import-linter contract in pyproject.toml says so)."""
