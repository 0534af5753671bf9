"""The one-stop approval flows, one module per process version (approval/v1, approval/v2)."""
