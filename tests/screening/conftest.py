"""The resolution tests' OFAC slice, shared: a node with real list entries loaded."""

from tests.resolve.conftest import ofac_node, ofac_slice

__all__ = ["ofac_node", "ofac_slice"]
