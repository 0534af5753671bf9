"""Micro-wishes (微心愿): a resident's small wish, claimed, fulfilled and confirmed."""
