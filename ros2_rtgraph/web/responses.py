# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""JSON answers, strict (no NaN), as every ``/api`` route gives them."""

import json

from flask import Response


def json_response(body: object, status: int = 200) -> Response:
    """Return ``body`` as compact, strict JSON with ``status``."""
    text = json.dumps(body, separators=(',', ':'), allow_nan=False)
    return Response(text, status=status, mimetype='application/json')
