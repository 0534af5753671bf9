"""The red forum (红心论坛, LK-13a/b): quarterly topics from the quarter's hard cases, read through
the work layer; actions tracked to closure; the reserve of community secretaries."""
