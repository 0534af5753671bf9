"""The policy handbook's own data: the clause registry (which clause of the article each
scenario encodes)."""
