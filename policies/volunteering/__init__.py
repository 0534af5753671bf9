"""Volunteer scheduling (双报到): contracts, members' claims, the month's slots, the plan's hard
rules and its objective (QL-11a, QL-11b, LK-09, QL-12)."""
