"""The parallel project approval flow (project-approval/v1)."""
