"""Whistle-and-report (吹哨报到): a whistle on an issue's case, its levels and its summons."""
