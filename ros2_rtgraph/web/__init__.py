# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""The browser side: Flask app factory, SSE wire encoding, templates and static files."""
