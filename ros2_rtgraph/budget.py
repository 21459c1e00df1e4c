# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The one memory budget, ``server.memory``: what the bridge may hold, part by part.

:func:`memory_parts` lists every part whose size the configuration decides; config.py refuses
a file whose parts add up to more than ``server.memory``, so the rings are never larger than
the machine can give (numpy used to fail at start-up with a MemoryError traceback instead).
A new part (the recorder) is one more entry there. Sizes are the bridge's own arrays and
buffers: the interpreter, ROS and the libraries come on top (about 80 MB).
"""

from dataclasses import dataclass
import math

#: Bytes in one megabyte of ``server.memory``.
MB = 1 << 20
#: ``server.memory`` when the file gives none, in MB.
DEFAULT_MEMORY_MB = 256
#: A ring's bytes per sample: seq int64, t float64 and v float64, preallocated (ringbuffer.py).
SAMPLE_BYTES = 24
#: A ring's cost beyond its arrays: the object, three array headers, its lock (700 measured).
RING_OVERHEAD_BYTES = 1024
#: CSV downloads served at once; one more gets 503.
MAX_EXPORTS = 2
#: Bytes one CSV download may hold: a chunk of rows, read from the rings, merged and written
#: as text, whatever the rings hold.
EXPORT_CHUNK_BYTES = 2 * MB
#: A row's cost in a chunk: its numbers copied out of the rings, as Python objects and as text
#: (370 measured, and about 130 more for its UTC date); and per character of its text cells
#: (up to 13 measured for emoji on Python 3.11, 17 on 3.12: a margin above both).
EXPORT_ROW_BYTES = 640
EXPORT_CHAR_BYTES = 24


@dataclass(frozen=True)
class Part:
    """One part of the budget: its name, its size and what makes the size, for messages."""

    name: str
    size: int  # bytes
    detail: str


def memory_parts(series: int, buffer: int) -> tuple[Part, ...]:
    """
    Return the parts of the memory a configuration needs.

    :param series: how many series the file charts (one ring each).
    :param buffer: ``server.buffer``, samples per ring.
    """
    return (
        Part('rings', series * (buffer * SAMPLE_BYTES + RING_OVERHEAD_BYTES),
             f'{series} series x {buffer} samples x {SAMPLE_BYTES} bytes'),
        Part('CSV downloads', MAX_EXPORTS * EXPORT_CHUNK_BYTES,
             f'{MAX_EXPORTS} at once, {EXPORT_CHUNK_BYTES // MB} MB each'),
    )


def export_chunk_rows(text_chars: int) -> int:
    """
    Return how many rows a CSV download may hold at once: as many as fit its bytes.

    :param text_chars: characters of a row's text cells (series id and label), at most.
    """
    return max(1, EXPORT_CHUNK_BYTES // (EXPORT_ROW_BYTES + EXPORT_CHAR_BYTES * text_chars))


def memory_needed(parts: tuple[Part, ...]) -> int:
    """Return the bytes all parts take together."""
    return sum(part.size for part in parts)


def _megabytes(size: int) -> int:
    return math.ceil(size / MB)


def over_budget(series: int, buffer: int, memory: int) -> str | None:
    """
    Say why a configuration does not fit its budget, if it does not.

    :param series: how many series the file charts.
    :param buffer: ``server.buffer``.
    :param memory: ``server.memory`` in MB.
    :return: a sentence naming the figures and the keys to change, or None when it fits.
    """
    parts = memory_parts(series, buffer)
    needed = memory_needed(parts)
    if needed <= memory * MB:
        return None
    itemised = ', '.join(f'{p.name} {_megabytes(p.size)} MB ({p.detail})' for p in parts)
    return (f'needs {_megabytes(needed)} MB, more than server.memory ({memory} MB): {itemised}; '
            'lower server.buffer, chart fewer series or raise server.memory')
