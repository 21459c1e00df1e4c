# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Whole-process figures of one pid, read from /proc (Linux only).

CPU is user + system time of every thread of the process as the kernel accounts it, so a
figure covers executor, web and pump threads alike; children are not included.
"""

from dataclasses import dataclass
import os
import resource

_TICKS_PER_SECOND = os.sysconf('SC_CLK_TCK')
_PAGE_SIZE = resource.getpagesize()


@dataclass(frozen=True)
class ProcSample:
    """One reading of a process's resources."""

    cpu: float    # user + system CPU seconds since the process started
    rss: int      # resident set size in bytes
    threads: int  # number of threads
    fds: int      # open file descriptors


def sample(pid: int) -> ProcSample:
    """
    Read CPU time, RSS, thread and file-descriptor counts of a process.

    :param pid: the process id.
    :return: the reading.
    :raise OSError: when the process is gone (``FileNotFoundError``, ``ProcessLookupError``).
    """
    with open(f'/proc/{pid}/stat', encoding='ascii') as stat_file:
        stat = stat_file.read()
    # The command name in parentheses may contain spaces: split after its closing one.
    fields = stat[stat.rindex(')') + 2:].split()
    # Field numbers from proc(5), counted from 1 with fields[0] being field 3 (state).
    utime, stime = int(fields[11]), int(fields[12])
    threads = int(fields[17])
    rss_pages = int(fields[21])
    fds = len(os.listdir(f'/proc/{pid}/fd'))
    return ProcSample(
        cpu=(utime + stime) / _TICKS_PER_SECOND,
        rss=rss_pages * _PAGE_SIZE,
        threads=threads,
        fds=fds,
    )
