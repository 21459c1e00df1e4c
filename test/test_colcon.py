# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A colcon build of the package, as on a robot, and the installed ``rtgraph`` serving.

colcon-core, colcon-ros and colcon-python-setup-py come from PyPI (requirements). The package
files are copied into a temporary workspace so the build never writes into the checkout.
"""

import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import urllib.request

import pytest
from ros_helpers import Bridge
from ros_helpers import child_env

REPO = Path(__file__).resolve().parent.parent
PACKAGE = 'ros2_rtgraph'
# What setup.py reads or installs.
SOURCES = ['package.xml', 'setup.py', 'setup.cfg', 'resource', PACKAGE, 'launch', 'config']
PYTHON_DIR = f'python{sys.version_info.major}.{sys.version_info.minor}'


@pytest.fixture(scope='module')
def install(tmp_path_factory) -> Path:
    workspace = tmp_path_factory.mktemp('colcon_ws')
    source = workspace / 'src' / PACKAGE
    source.mkdir(parents=True)
    ignore = shutil.ignore_patterns('__pycache__', '*.egg-info')
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    colcon = shutil.which('colcon', path=str(Path(sys.executable).parent))
    assert colcon, 'colcon is not installed next to this Python (see requirements)'
    result = subprocess.run(
        [colcon, 'build', '--merge-install', '--event-handlers', 'console_direct-'],
        cwd=workspace, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return workspace / 'install'


def installed_env(install: Path) -> dict[str, str]:
    """Return the environment `source install/setup.bash` would give, for this package."""
    env = child_env()
    env['AMENT_PREFIX_PATH'] = os.pathsep.join(
        filter(None, [str(install), env.get('AMENT_PREFIX_PATH')]))
    env['PYTHONPATH'] = os.pathsep.join(
        filter(None, [str(install / 'lib' / PYTHON_DIR / 'site-packages'), env.get('PYTHONPATH')]))
    return env


def test_install_layout(install):
    share = install / 'share' / PACKAGE
    assert (share / 'package.xml').read_bytes() == (REPO / 'package.xml').read_bytes()
    assert (share / 'launch' / 'graph.launch.py').is_file()
    configs = {path.name for path in (REPO / 'config').glob('*.yaml')}
    assert configs >= {'demo.yaml'}
    assert {path.name for path in (share / 'config').glob('*.yaml')} == configs
    assert (install / 'share' / 'ament_index' / 'resource_index' / 'packages' / PACKAGE).is_file()
    for script in ('rtgraph', 'rtgraph_demo'):
        assert os.access(install / 'lib' / PACKAGE / script, os.X_OK), script


def test_installed_package_is_the_one_imported(install):
    code = ('import ros2_rtgraph.config as config\n'
            'print(config.__file__)\n'
            'print(config.default_config_path())\n')
    # Not from the checkout: with `-c`, the working directory comes first on sys.path.
    result = subprocess.run([sys.executable, '-c', code], env=installed_env(install),
                            cwd=install, capture_output=True, text=True, check=True)
    module, default_config = result.stdout.split()
    assert Path(module).is_relative_to(install)
    assert Path(default_config) == install / 'share' / PACKAGE / 'config' / 'demo.yaml'


def test_installed_rtgraph_serves_healthz(install):
    command = [str(install / 'lib' / PACKAGE / 'rtgraph'), '--ros-args', '-p', 'host:=127.0.0.1',
               '-p', 'port:=0']
    bridge = Bridge(command, env=installed_env(install))
    try:
        bridge.wait_serving()
        with urllib.request.urlopen(f'{bridge.base_url}healthz', timeout=10) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {'status': 'ok'}
        assert bridge.stop(signal.SIGINT) == 0
    finally:
        bridge.close()
