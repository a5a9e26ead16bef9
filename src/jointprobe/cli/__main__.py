"""``python -m jointprobe.cli``."""

from jointprobe.cli.main import run

run()
