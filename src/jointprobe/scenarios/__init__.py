"""Demo scenarios built from public reporting, with sources."""
