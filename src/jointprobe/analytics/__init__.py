"""C8 cooperation and supply analytics.

- ``periods``: months, quarters, date ranges, percentiles
- ``responsiveness``: time to acknowledgement, status, outcome per partner and direction
- ``funnel``: referral → investigation → arrest → charge → conviction per partner and quarter
- ``substances``: a seized substance's class by the chemistry layer
- ``seizures``: seizure trends by class, origin, transit, destination, route, concealment
- ``compositions`` and ``shifts``: the balloon effect (origin-share change points)
- ``validation``: the shift search checked on generated series (bench/analytics.py)

The shift search (``shifts``, ``ruptures``) and the report's rendering
(``render``, matplotlib, WeasyPrint) are imported where used, not here: they
cost seconds at start-up.
"""

from __future__ import annotations

from jointprobe.analytics.funnel import FunnelCell, funnel_over_time
from jointprobe.analytics.periods import DateRange
from jointprobe.analytics.responsiveness import Responsiveness, overdue_now, responsiveness
from jointprobe.analytics.seizures import SeizureRecord, Trend, seizure_records, trend

__all__ = [
    "DateRange",
    "FunnelCell",
    "Responsiveness",
    "SeizureRecord",
    "Trend",
    "funnel_over_time",
    "overdue_now",
    "responsiveness",
    "seizure_records",
    "trend",
]
