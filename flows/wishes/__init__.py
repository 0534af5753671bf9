"""Micro-wishes' scheduled urging."""
