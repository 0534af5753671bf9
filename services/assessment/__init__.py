"""The yearly happy-community assessment (LK-02) and the centres' popularity index (QL-12b)."""
