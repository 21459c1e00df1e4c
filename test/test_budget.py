# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The memory budget: its figures are the rings' real costs, and where a file stops fitting."""

import tracemalloc

import pytest

from ros2_rtgraph.budget import EXPORT_CHUNK_BYTES
from ros2_rtgraph.budget import export_chunk_rows
from ros2_rtgraph.budget import MAX_EXPORTS
from ros2_rtgraph.budget import MB
from ros2_rtgraph.budget import memory_needed
from ros2_rtgraph.budget import memory_parts
from ros2_rtgraph.budget import over_budget
from ros2_rtgraph.budget import RING_OVERHEAD_BYTES
from ros2_rtgraph.budget import SAMPLE_BYTES
from ros2_rtgraph.ringbuffer import SampleRing
from ros2_rtgraph.ringbuffer import SampleStore


def test_a_sample_costs_what_the_ring_preallocates():
    ring = SampleRing(1000)
    arrays = (ring._seq, ring._t, ring._v)  # the storage itself
    assert sum(array.nbytes for array in arrays) == 1000 * SAMPLE_BYTES


def test_a_ring_costs_no_more_than_its_samples_and_the_overhead():
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = SampleStore([f's{i}' for i in range(200)], capacity=10)
        per_ring = (tracemalloc.get_traced_memory()[0] - before) / len(store.rings)
    finally:
        tracemalloc.stop()
    assert 10 * SAMPLE_BYTES < per_ring <= 10 * SAMPLE_BYTES + RING_OVERHEAD_BYTES


def test_the_parts_add_up_and_the_rings_grow_with_series_and_buffer():
    parts = memory_parts(500, 10_000_000)
    assert [part.name for part in parts] == ['rings', 'CSV downloads']
    assert parts[0].size == 500 * (10_000_000 * SAMPLE_BYTES + RING_OVERHEAD_BYTES)
    assert parts[1].size == MAX_EXPORTS * EXPORT_CHUNK_BYTES
    assert memory_needed(parts) == parts[0].size + parts[1].size


# One series in 5 MB: 5 MB - 4 MB of downloads - 1024 bytes of overhead = 43648 samples.
FITS = (5 * MB - MAX_EXPORTS * EXPORT_CHUNK_BYTES - RING_OVERHEAD_BYTES) // SAMPLE_BYTES


@pytest.mark.parametrize(('series', 'buffer', 'memory', 'fits'), [
    (1, FITS, 5, True),
    (1, FITS + 1, 5, False),
    (530, 20_000, 256, True),  # the default budget holds 530 series of the default buffer
    (600, 20_000, 256, False),
    (1000, 10_000_000, 1 << 20, True),
])
def test_over_budget_is_exact_at_the_boundary(series, buffer, memory, fits):
    assert (over_budget(series, buffer, memory) is None) == fits


def test_over_budget_names_the_figures_and_the_keys():
    assert over_budget(1, FITS + 1, 5) == (
        'needs 6 MB, more than server.memory (5 MB): rings 2 MB (1 series x 43649 samples x '
        '24 bytes), CSV downloads 4 MB (2 at once, 2 MB each); lower server.buffer, chart fewer '
        'series or raise server.memory')


@pytest.mark.parametrize(('chars', 'rows'), [
    (0, 3276),  # no text: 640 bytes a row
    (2, 3048),
    (40, 1310),
    (1_000_000, 1),  # never none
])
def test_a_download_chunk_holds_fewer_rows_the_longer_its_labels(chars, rows):
    assert export_chunk_rows(chars) == rows
