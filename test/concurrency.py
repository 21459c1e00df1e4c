# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""A reader thread racing the test's writer: what the pump does while the ROS thread adds."""

from collections.abc import Callable
import threading


def failures_while(read: Callable[[], None], write: Callable[[], None]) -> list[Exception]:
    """
    Call ``read`` in a loop on another thread while ``write`` runs here, once.

    :return: what ``read`` raised (it stops at its first exception), empty when nothing.
    """
    done = threading.Event()
    failures: list[Exception] = []

    def reader() -> None:
        while not done.is_set():
            try:
                read()
            except Exception as error:  # noqa: BLE001 handed to the test
                failures.append(error)
                return

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        write()
    finally:
        done.set()
        thread.join(10)
    return failures
