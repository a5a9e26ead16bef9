"""Precursor trade screening (C6): list matching, orders, red flags, verdicts."""
