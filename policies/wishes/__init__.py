"""Micro-wishes (微心愿, HC-08): post, two-way claiming, fulfilment, the resident confirms."""
