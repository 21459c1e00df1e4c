# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Benchmark of the bridge against a bare rclpy subscriber; run it with ``python -m bench.run``."""
