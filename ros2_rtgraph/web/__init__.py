# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The browser side: frame pump, Flask app factory, SSE wire encoding, server, templates and static.

:func:`build_site` assembles the pump, app and server (:mod:`.site`). Of the package's other
modules only ``main.py``, which wires the process, imports this one: the core does not know it.
"""

from ros2_rtgraph.web.site import build_site
from ros2_rtgraph.web.site import Site

__all__ = ['build_site', 'Site']
