"""Whistle-and-report's scheduled sweep."""
