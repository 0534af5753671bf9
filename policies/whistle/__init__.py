"""Whistle-and-report (吹哨报到, QL-14, LK-09b): the whistle's levels, deadlines and rates."""
