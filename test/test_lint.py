# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Linters run as tests, as ament packages do: ruff (like ament_flake8), mypy and headers."""

import os
from pathlib import Path
import shutil
import subprocess
import sys

import pytest

REPO = Path(__file__).resolve().parent.parent
HEADER = (
    '# Copyright 2026 ros2_rtgraph developers\n'
    '# SPDX-License-Identifier: Apache-2.0\n'
)


def _python_sources() -> list[Path]:
    """Return every tracked-looking Python file of the project (no venvs or build output)."""
    skipped = {'build', 'install', 'log', '.git'}

    def is_source(path: Path) -> bool:
        parts = path.relative_to(REPO).parts
        return not any(part in skipped or part.startswith('.venv') for part in parts)

    return [path for path in sorted(REPO.rglob('*.py')) if is_source(path)]


@pytest.mark.linter
def test_ruff_is_clean():
    ruff = shutil.which('ruff', path=str(Path(sys.executable).parent)) or 'ruff'
    result = subprocess.run(
        [ruff, 'check', '--no-cache', str(REPO)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.linter
def test_mypy_is_clean():
    """The package's type hints hold (setup.cfg's [mypy]), under this environment's rclpy."""
    result = subprocess.run(
        [sys.executable, '-m', 'mypy', '--cache-dir', os.devnull], cwd=REPO,
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.linter
@pytest.mark.parametrize('path', _python_sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_copyright_header(path):
    assert path.read_text(encoding='utf-8').startswith(HEADER), f'{path} lacks the license header'
