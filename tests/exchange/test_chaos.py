"""Chaos with real processes: faults on the wire, kills, a key rotation; nothing lost or doubled.

``CHAOS_FAULTS`` picks the fault types (``all``, the default; ``safe``; or a
comma-separated list, see tests/exchange/chaos.py), ``CHAOS_SEED`` the seed.
"""

import os
from pathlib import Path

import pytest

from .chaos import ChaosConfig, faults_from, run, summary
from .chaos_proxy import PROXY_FAULTS

pytestmark = pytest.mark.live

FAULTS = faults_from(os.environ.get("CHAOS_FAULTS"))
SEED = int(os.environ.get("CHAOS_SEED", "13"))


def test_under_chaos_every_message_is_applied_once_in_order_or_ended_with_a_reason(
    tmp_path: Path,
) -> None:
    config = ChaosConfig(messages=200, seed=SEED, faults=FAULTS, kills=2)
    report = run(tmp_path, config)
    text = summary(report)
    assert report.ok, text
    assert report.drained, "the outboxes did not drain before the deadline\n" + text
    # which fault types a 200-message run meets depends on how deliveries batch (the deck
    # holds each type once per len(types)/rate requests): most must fire, all in the long
    # runs of bench/chaos.py
    expected = FAULTS & set(PROXY_FAULTS)
    assert len(set(report.faults) & expected) >= 0.8 * len(expected), "faults missing\n" + text
    assert report.kills["sender"] >= 1 and report.kills["receiver"] >= 1, text
