"""The yearly happy-community assessment (LK-02) and the centres' popularity index (QL-12b):
the indicators, the award rule and the index's formula as data, scoring and ranking as pure
functions."""
