# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: one ROS domain per run, discovery kept local, own ROS_HOME; peers, sites."""

import atexit
from collections.abc import Iterator
import os
import shutil
import tempfile

import pytest
from ros_helpers import INGEST_MODES
from ros_helpers import RosPeer

from ros2_rtgraph.rosdistro import LOCALHOST_DISCOVERY_ENV


def _pick_domain_id() -> int:
    """Pick a ROS_DOMAIN_ID in 1..101 from the process id, so parallel runs rarely share one."""
    return 1 + os.getpid() % 101


# Set at import time so every rclpy context and every child process of this run inherits it.
os.environ.setdefault('ROS_DOMAIN_ID', str(_pick_domain_id()))
os.environ.update(LOCALHOST_DISCOVERY_ENV)
os.environ.setdefault('RMW_IMPLEMENTATION', 'rmw_fastrtps_cpp')
# Never the user's ~/.ros (or their ROS_HOME): the bridges of this run keep their generated
# token (and rcl its log files) in a directory of their own, removed at the end.
os.environ['ROS_HOME'] = tempfile.mkdtemp(prefix='rtgraph-test-ros-home-')
atexit.register(shutil.rmtree, os.environ['ROS_HOME'], ignore_errors=True)


@pytest.fixture(scope='session')
def ros_domain_id() -> int:
    """Return the ROS domain this test run uses."""
    return int(os.environ['ROS_DOMAIN_ID'])


@pytest.fixture(params=INGEST_MODES)
def bridge_peer(request) -> Iterator[RosPeer]:
    """Yield a context for a GraphNode, once per ingest mode: callbacks, and the drain loop."""
    with RosPeer(request.param) as peer:
        yield peer


@pytest.fixture(scope='module')
def robot_peer() -> Iterator[RosPeer]:
    """Yield the context of a test module's publishing side, spun by its own thread."""
    with RosPeer() as peer:
        yield peer


@pytest.fixture(scope='module')
def context():
    """Yield one headless Chromium context for a browser test module (browser.chromium)."""
    from browser import chromium  # only the browser tests load Playwright

    with chromium() as browser_context:
        yield browser_context


@pytest.fixture
def make_site():
    """
    Return a factory of :class:`web_helpers.FedSite`; every site it made is closed after the test.

    The factory takes FedSite's arguments: by default a two-series site with the test token.
    """
    from web_helpers import FedSite  # only the tests that build a site load the web stack

    sites = []

    def make(*args, **kwargs) -> FedSite:
        sites.append(FedSite(*args, **kwargs))
        return sites[-1]

    yield make
    for site in reversed(sites):
        site.close()
