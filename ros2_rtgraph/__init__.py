# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Live charts of ROS 2 sensor topics in any browser."""
