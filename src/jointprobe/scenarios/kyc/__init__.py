"""A precursor order for the demo: a fictional buyer, a listed precursor, bitcoin, a forwarder."""

from jointprobe.scenarios.kyc.order import LABEL, SEED, demo_order

__all__ = ["LABEL", "SEED", "demo_order"]
