# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""Install ros2_rtgraph as an ament_python package (colcon) or a plain pip package (venv)."""

from glob import glob

from setuptools import find_packages
from setuptools import setup

package_name = 'ros2_rtgraph'

setup(
    name=package_name,
    version='0.1.0',
    packages=find_packages(exclude=['test', 'test.*', 'bench', 'bench.*']),
    data_files=[
        ('share/ament_index/resource_index/packages', ['resource/' + package_name]),
        ('share/' + package_name, ['package.xml']),
        ('share/' + package_name + '/launch', glob('launch/*.launch.py')),
        ('share/' + package_name + '/config', glob('config/*.yaml')),
    ],
    # Flask reads templates and static files from the package directory.
    package_data={package_name: ['web/templates/**/*', 'web/static/**/*']},
    include_package_data=False,
    zip_safe=False,
    install_requires=['setuptools'],
    maintainer='ros2_rtgraph developers',
    maintainer_email='dev@ros2-rtgraph.invalid',
    description='Live charts of ROS 2 sensor topics in any browser.',
    license='Apache-2.0',
    tests_require=['pytest'],
    entry_points={
        'console_scripts': [
            'rtgraph = ros2_rtgraph.main:main',
            'rtgraph_demo = ros2_rtgraph.demo:main',
        ],
    },
)
