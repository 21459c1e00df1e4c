# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
``rtgraph_demo``: a simulated robot that publishes real ROS 2 sensor topics.

Topics (config/demo.yaml charts them): /imu/data (Imu, 200 Hz, sensor-data QoS, occasional
spikes), /odom (Odometry, 50 Hz, driving a circle), /joint_states (JointState, 100 Hz, six
joints), /battery_state (BatteryState, 1 Hz, draining), /gps/fix (NavSatFix, 5 Hz, NaN while it
has no fix: the first 10 s and a few seconds of every minute), /demo/sine (Float64, 50 Hz).

One 200 Hz timer drives every topic (one wake-up instead of six timers). ``--with-bridge`` also
runs ``rtgraph`` with the demo configuration as a child process, gives it the demo's ROS
arguments (so ``-p port:=8081`` reaches the bridge; the robot ignores parameters it does not
declare) and passes SIGINT/SIGTERM on.
"""

import argparse
import math
import random
import signal
import subprocess
import sys
import threading

from nav_msgs.msg import Odometry
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data
from rclpy.signals import SignalHandlerOptions
from rclpy.utilities import remove_ros_args
from sensor_msgs.msg import BatteryState
from sensor_msgs.msg import Imu
from sensor_msgs.msg import JointState
from sensor_msgs.msg import NavSatFix
from sensor_msgs.msg import NavSatStatus
from std_msgs.msg import Float64

TICK_HZ = 200
# Publish period of each topic in ticks of the 200 Hz timer.
EVERY = {'imu': 1, 'joints': 2, 'odom': 4, 'sine': 4, 'gps': 40, 'battery': 200}
JOINTS = [f'joint_{i}' for i in range(1, 7)]
GRAVITY = 9.81
SPIKE_PROBABILITY = 0.002   # per IMU message: about one spike every 2.5 s
CIRCLE_RADIUS = 3.0         # m
CIRCLE_SPEED = 0.5          # m/s
BATTERY_FULL_V = 16.8
BATTERY_EMPTY_V = 13.2
BATTERY_HOURS = 0.5         # simulated time from full to empty


def _gps_has_fix(elapsed: float) -> bool:
    """No fix for the first 10 s, then for seconds 40-44 of every minute."""
    return elapsed >= 10.0 and not 40.0 <= elapsed % 60.0 < 45.0


class DemoRobot(Node):
    """Publish the demo topics from one timer, with values a real robot could send."""

    def __init__(self, **kwargs):
        super().__init__('rtgraph_demo', **kwargs)
        self._imu = self.create_publisher(Imu, '/imu/data', qos_profile_sensor_data)
        self._odom = self.create_publisher(Odometry, '/odom', 10)
        self._joints = self.create_publisher(JointState, '/joint_states', 10)
        self._battery = self.create_publisher(BatteryState, '/battery_state', 10)
        self._gps = self.create_publisher(NavSatFix, '/gps/fix', 10)
        self._sine = self.create_publisher(Float64, '/demo/sine', 10)
        self._random = random.Random(7)
        self._tick = 0
        self._schedule = [
            (EVERY['imu'], self._publish_imu), (EVERY['joints'], self._publish_joints),
            (EVERY['odom'], self._publish_odom), (EVERY['sine'], self._publish_sine),
            (EVERY['gps'], self._publish_gps), (EVERY['battery'], self._publish_battery),
        ]
        self._timer = self.create_timer(1.0 / TICK_HZ, self._on_tick)

    def _on_tick(self) -> None:
        stamp = self.get_clock().now().to_msg()
        elapsed = self._tick / TICK_HZ
        for every, publish in self._schedule:
            if self._tick % every == 0:
                publish(stamp, elapsed)
        self._tick += 1

    def _publish_imu(self, stamp, elapsed: float) -> None:
        gauss = self._random.gauss
        msg = Imu()
        msg.header.stamp = stamp
        msg.header.frame_id = 'imu_link'
        accel = msg.linear_acceleration
        accel.x = 0.4 * math.sin(0.5 * elapsed) + gauss(0.0, 0.05)
        accel.y = 0.3 * math.cos(0.5 * elapsed) + gauss(0.0, 0.05)
        accel.z = GRAVITY + gauss(0.0, 0.08)
        if self._random.random() < SPIKE_PROBABILITY:
            accel.z += self._random.choice((-1.0, 1.0)) * self._random.uniform(8.0, 15.0)
        gyro = msg.angular_velocity
        gyro.x, gyro.y = gauss(0.0, 0.01), gauss(0.0, 0.01)
        gyro.z = CIRCLE_SPEED / CIRCLE_RADIUS + gauss(0.0, 0.01)
        msg.orientation.w = 1.0
        self._imu.publish(msg)

    def _publish_odom(self, stamp, elapsed: float) -> None:
        yaw_rate = CIRCLE_SPEED / CIRCLE_RADIUS
        angle = yaw_rate * elapsed
        msg = Odometry()
        msg.header.stamp = stamp
        msg.header.frame_id = 'odom'
        msg.child_frame_id = 'base_link'
        msg.pose.pose.position.x = CIRCLE_RADIUS * math.sin(angle)
        msg.pose.pose.position.y = CIRCLE_RADIUS * (1.0 - math.cos(angle))
        msg.pose.pose.orientation.z = math.sin(angle / 2.0)
        msg.pose.pose.orientation.w = math.cos(angle / 2.0)
        msg.twist.twist.linear.x = CIRCLE_SPEED + self._random.gauss(0.0, 0.02)
        msg.twist.twist.angular.z = yaw_rate + self._random.gauss(0.0, 0.005)
        self._odom.publish(msg)

    def _publish_joints(self, stamp, elapsed: float) -> None:
        msg = JointState()
        msg.header.stamp = stamp
        msg.name = JOINTS
        for index in range(len(JOINTS)):
            frequency = 0.1 * (index + 1)
            phase = 2.0 * math.pi * frequency * elapsed + index
            msg.position.append(0.8 * math.sin(phase))
            msg.velocity.append(0.8 * 2.0 * math.pi * frequency * math.cos(phase))
            msg.effort.append(2.0 * math.sin(phase) + self._random.gauss(0.0, 0.1))
        self._joints.publish(msg)

    def _publish_battery(self, stamp, elapsed: float) -> None:
        charge = max(0.0, 1.0 - elapsed / (BATTERY_HOURS * 3600.0))
        msg = BatteryState()
        msg.header.stamp = stamp
        msg.percentage = charge
        msg.voltage = BATTERY_EMPTY_V + (BATTERY_FULL_V - BATTERY_EMPTY_V) * charge
        msg.current = -2.0 + self._random.gauss(0.0, 0.1)
        msg.temperature = 30.0 + 5.0 * (1.0 - charge)
        msg.present = True
        self._battery.publish(msg)

    def _publish_gps(self, stamp, elapsed: float) -> None:
        msg = NavSatFix()
        msg.header.stamp = stamp
        msg.header.frame_id = 'gps'
        if _gps_has_fix(elapsed):
            msg.status.status = NavSatStatus.STATUS_FIX
            msg.latitude = 48.137 + 1e-5 * math.sin(0.1 * elapsed)
            msg.longitude = 11.575 + 1e-5 * math.cos(0.1 * elapsed)
            msg.altitude = 520.0 + self._random.gauss(0.0, 0.5)
        else:
            msg.status.status = NavSatStatus.STATUS_NO_FIX
            msg.latitude = msg.longitude = msg.altitude = math.nan
        msg.status.service = NavSatStatus.SERVICE_GPS
        self._gps.publish(msg)

    def _publish_sine(self, stamp, elapsed: float) -> None:
        self._sine.publish(Float64(data=math.sin(2.0 * math.pi * 0.2 * elapsed)))


EPILOG = """\
ROS arguments (after --ros-args) apply to the robot and, with --with-bridge, to rtgraph too:
they set the bridge's parameters (host, port, token, config_file, frame_rate, ...), which the
robot ignores. For example, to serve on 127.0.0.1:8081:

  rtgraph_demo --with-bridge --ros-args -p host:=127.0.0.1 -p port:=8081
"""


def ros_arguments(args: list[str]) -> list[str]:
    """
    Return the ROS arguments in ``args``: each ``--ros-args`` block, up to its ``--``.

    :param args: command-line arguments, e.g. ``['--with-bridge', '--ros-args', '-p', 'x:=1']``.
    :return: e.g. ``['--ros-args', '-p', 'x:=1']``; empty when there are none.
    """
    found, inside = [], False
    for arg in args:
        if arg == '--ros-args':
            inside = True
        elif arg == '--' and inside:
            inside = False
            continue
        if inside:
            found.append(arg)
    return found


def _start_bridge(ros_args: list[str]) -> subprocess.Popen:
    """Run ``rtgraph`` (default configuration: the demo's) with these ROS arguments."""
    return subprocess.Popen([sys.executable, '-m', 'ros2_rtgraph.main', *ros_args])


def main(argv: list[str] | None = None) -> int:
    """Publish the demo topics until SIGINT or SIGTERM; return the exit status."""
    argv = sys.argv if argv is None else [sys.argv[0], *argv]
    parser = argparse.ArgumentParser(
        prog='rtgraph_demo', description=__doc__.split('\n\n')[0].strip().replace('``', ''),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--with-bridge', action='store_true',
                        help='also run rtgraph (with the demo configuration, and the ROS '
                             'arguments given here)')
    options = parser.parse_args(remove_ros_args(argv)[1:])
    stop = threading.Event()
    bridge = _start_bridge(ros_arguments(argv[1:])) if options.with_bridge else None

    def on_signal(signum, frame):
        stop.set()
        if bridge is not None and bridge.poll() is None:
            bridge.send_signal(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO)
    node = DemoRobot()
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        # A bridge that ends by itself (port taken, bad config) ends the demo too.
        while not stop.is_set() and (bridge is None or bridge.poll() is None):
            executor.spin_once(timeout_sec=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
        if bridge is not None:
            bridge.wait()
    return 0 if bridge is None else bridge.returncode


if __name__ == '__main__':
    sys.exit(main())
