"""Seeded generators of fictional records for linkage tests and benchmarks.

Every record carries ``fictional = True``; the people do not exist.
"""
