"""Precursor trade screening (C6): names, selectors and orders against sanctions and watch lists."""
