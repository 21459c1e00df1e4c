# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The frame grid: frames fall on multiples of the frame period of the monotonic clock.

The frame pump sends its frames on the grid, and the drain loop takes the waiting messages
:data:`TAKE_LEAD` seconds before each point of it: so each frame carries a batch committed a
few milliseconds earlier (its newest sample is fresh), every sample waits about one period at
most, and neither needs to tell the other when. Both run in one process, on one clock.
"""

import math

#: Seconds before a grid point that the drain loop takes: enough for it to decode and commit
#: a batch before the pump looks.
TAKE_LEAD = 0.004


def next_tick(now: float, period: float) -> float:
    """
    Return the first grid point after ``now``.

    :param now: monotonic seconds.
    :param period: the frame period, seconds (> 0).
    """
    return (math.floor(now / period) + 1) * period


def next_take(now: float, period: float) -> float:
    """Return when the drain loop takes next: TAKE_LEAD before the next grid point after it."""
    return next_tick(now + TAKE_LEAD, period) - TAKE_LEAD
