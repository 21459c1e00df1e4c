# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The ``.@name`` modifiers of field paths: what each accepts, and the arithmetic.

Two kinds. A *reducer* turns one message field into a number per message (``@yaw`` of a
``geometry_msgs/Quaternion``, ``@norm`` of a ``Vector3``): it reads the message's component
fields, so a reducer on a fixed field still reads the serialized bytes directly. A *numeric*
modifier maps a batch of values of one series, as numpy arrays, after every message of the
batch was read (``@derivative`` needs the sample times, and the value before the batch).
"""

from collections.abc import Callable
from dataclasses import dataclass
import math

import numpy as np


@dataclass(frozen=True)
class Reducer:
    """A modifier that reads a message: its types, the fields it reads, and the function."""

    types: tuple[str, ...]  # full type names it applies to
    components: tuple[str, ...]  # the fields it reads, in the order ``reduce`` takes them
    reduce: Callable[..., float]


def _roll(x: float, y: float, z: float, w: float) -> float:
    return math.atan2(2.0 * (w * x + y * z), 1.0 - 2.0 * (x * x + y * y))


def _pitch(x: float, y: float, z: float, w: float) -> float:
    # Clamped: a quaternion that is not quite unit length must not make asin fail.
    return math.asin(max(-1.0, min(1.0, 2.0 * (w * y - z * x))))


def _yaw(x: float, y: float, z: float, w: float) -> float:
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def _norm(x: float, y: float, z: float) -> float:
    return math.sqrt(x * x + y * y + z * z)


_QUATERNION = ('geometry_msgs/msg/Quaternion',)
_VECTORS = ('geometry_msgs/msg/Vector3', 'geometry_msgs/msg/Point', 'geometry_msgs/msg/Point32')
#: Reducers by name: roll, pitch and yaw in radians (ZYX, as tf2's getRPY), not unwrapped.
REDUCERS = {
    'roll': Reducer(_QUATERNION, ('x', 'y', 'z', 'w'), _roll),
    'pitch': Reducer(_QUATERNION, ('x', 'y', 'z', 'w'), _pitch),
    'yaw': Reducer(_QUATERNION, ('x', 'y', 'z', 'w'), _yaw),
    'norm': Reducer(_VECTORS, ('x', 'y', 'z'), _norm),
}


class Derivative:
    """Per second, between consecutive samples of one series; remembers the last one."""

    def __init__(self) -> None:
        self._last: tuple[float, float] | None = None

    def __call__(self, t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """
        Return the derivative at each sample but the series' very first.

        A step with no time between the two samples gives no value (not an infinity).
        """
        if len(t) == 0:
            return t, v
        if self._last is None:
            times, values = t, v
        else:
            times = np.concatenate(((self._last[0],), t))
            values = np.concatenate(((self._last[1],), v))
        self._last = (float(t[-1]), float(v[-1]))
        dt = np.diff(times)
        keep = dt != 0.0
        with np.errstate(divide='ignore', invalid='ignore'):
            slope = np.diff(values)[keep] / dt[keep]
        return times[1:][keep], slope


#: A numeric modifier of one series: a batch's times and values -> the times and values kept.
Modify = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _pointwise(function: Callable[[np.ndarray], np.ndarray]) -> Callable[[], Modify]:
    """Make a numeric modifier of a function of the values alone (no state)."""
    def make() -> Modify:
        def apply(t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(invalid='ignore'):  # sqrt of a negative is NaN, a gap
                return t, function(v)
        return apply
    return make


#: Numeric modifiers by name: a factory of ``(t, v) -> (t, v)`` per series (state included).
NUMERIC: dict[str, Callable[[], Modify]] = {
    'derivative': Derivative,
    'abs': _pointwise(np.abs),
    'negative': _pointwise(np.negative),
    'rad2deg': _pointwise(np.rad2deg),
    'deg2rad': _pointwise(np.deg2rad),
    'sqrt': _pointwise(np.sqrt),
}
#: Turns text into a number: the one modifier for a string leaf no filter reached.
NUMBER = 'number'
ALL = (*REDUCERS, *NUMERIC, NUMBER)


def chain(names: tuple[str, ...]) -> Modify | None:
    """Return the numeric modifiers of one series applied left to right; None for none."""
    steps = [NUMERIC[name]() for name in names]
    if not steps:
        return None

    def apply(t: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        for step in steps:
            t, v = step(t, v)
        return t, v
    return apply
