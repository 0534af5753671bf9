"""Volunteer scheduling (双报到): the month's plan, its records and use cases."""
