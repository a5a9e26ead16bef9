"""Running a node for years: backups and restores, health and readiness, metrics."""
