"""The yearly happy-community assessment (LK-02)."""
