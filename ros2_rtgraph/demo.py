# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
``rtgraph_demo``: a simulated robot that publishes real ROS 2 sensor topics.

Topics (config/demo.yaml charts them): /imu/data (Imu, 200 Hz, sensor-data QoS, occasional
spikes), /odom (Odometry, 50 Hz, driving a circle), /joint_states (JointState, 100 Hz, six
joints whose order in the message rotates every message, as merged joint states from several
drivers can: only a chart by name is right), /battery_state (BatteryState, 1 Hz, draining),
/diagnostics (DiagnosticArray, 1 Hz: 'motor_left' and 'motor_right' with temperature, current
and mode as text, WARN while a motor is hot; 'battery'), /gps/fix (NavSatFix, 5 Hz, NaN while it
has no fix: the first 10 s and a few seconds of every minute), /demo/sine (Float64, 50 Hz).

One 200 Hz timer drives every topic (one wake-up instead of seven timers). ``--with-bridge``
also runs ``rtgraph`` with the demo configuration as a child process, gives it the demo's ROS
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

from diagnostic_msgs.msg import DiagnosticArray
from diagnostic_msgs.msg import DiagnosticStatus
from diagnostic_msgs.msg import KeyValue
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

from ros2_rtgraph.main import EXIT_USAGE
from ros2_rtgraph.main import ros_start_errors
from ros2_rtgraph.main import RosStartError

TICK_HZ = 200
# Publish period of each topic in ticks of the 200 Hz timer.
EVERY = {'imu': 1, 'joints': 2, 'odom': 4, 'sine': 4, 'gps': 40, 'battery': 200,
         'diagnostics': 200}
JOINTS = [f'joint_{i}' for i in range(1, 7)]
# Motor temperatures swing slowly around a mean (degC, period in s); the left one peaks above
# MOTOR_HOT_C for about 10 s of every period (first at 18 s), the right one never does.
MOTORS = {'motor_left': (42.0, 14.0, 90.0), 'motor_right': (40.0, 10.0, 150.0)}
MOTOR_HOT_C = 55.0
BATTERY_LOW = 0.2           # charge below which the battery status is WARN
GRAVITY = 9.81
SPIKE_PROBABILITY = 0.002   # per IMU message: about one spike every 2.5 s
CIRCLE_RADIUS = 3.0         # m
CIRCLE_SPEED = 0.5          # m/s
BATTERY_FULL_V = 16.8
BATTERY_EMPTY_V = 13.2
BATTERY_HOURS = 0.5         # simulated time from full to empty


def _battery_charge(elapsed: float) -> float:
    """Charge (0..1) after ``elapsed`` seconds: linear from full to empty in BATTERY_HOURS."""
    return max(0.0, 1.0 - elapsed / (BATTERY_HOURS * 3600.0))


def _battery_voltage(charge: float) -> float:
    """Voltage at a charge: linear between empty and full, as BatteryState and diagnostics say."""
    return BATTERY_EMPTY_V + (BATTERY_FULL_V - BATTERY_EMPTY_V) * charge


def motor_status(name: str, elapsed: float, current: float) -> DiagnosticStatus:
    """
    Return a motor's status as a driver's diagnostic_updater would: every value is text.

    :param name: a key of MOTORS.
    :param elapsed: seconds since the demo started (the temperature follows it).
    :param current: the motor current in A.
    :return: WARN while the motor is hotter than MOTOR_HOT_C (its mode then says so), else OK.
    """
    mean, swing, period = MOTORS[name]
    temperature = mean + swing * math.sin(2.0 * math.pi * elapsed / period)
    hot = temperature > MOTOR_HOT_C
    return DiagnosticStatus(
        level=DiagnosticStatus.WARN if hot else DiagnosticStatus.OK, name=name,
        message='hot: torque derated' if hot else 'OK', hardware_id=f'{name}_driver',
        values=[KeyValue(key='temperature', value=f'{temperature:.1f}'),
                KeyValue(key='current', value=f'{current:.2f}'),
                KeyValue(key='mode', value='DERATED' if hot else 'RUNNING')])


def battery_status(charge: float) -> DiagnosticStatus:
    """Return the battery's status at a charge (0..1): WARN below BATTERY_LOW."""
    low = charge < BATTERY_LOW
    return DiagnosticStatus(
        level=DiagnosticStatus.WARN if low else DiagnosticStatus.OK, name='battery',
        message='low' if low else 'OK', hardware_id='bms',
        values=[KeyValue(key='voltage', value=f'{_battery_voltage(charge):.2f}'),
                KeyValue(key='percentage', value=f'{100.0 * charge:.0f}')])


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
        self._diagnostics = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._sine = self.create_publisher(Float64, '/demo/sine', 10)
        self._random = random.Random(7)
        self._tick = 0
        self._schedule = [
            (EVERY['imu'], self._publish_imu), (EVERY['joints'], self._publish_joints),
            (EVERY['odom'], self._publish_odom), (EVERY['sine'], self._publish_sine),
            (EVERY['gps'], self._publish_gps), (EVERY['battery'], self._publish_battery),
            (EVERY['diagnostics'], self._publish_diagnostics),
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
        # Rotate the order by one joint per message; each value is computed for its name.
        shift = (self._tick // EVERY['joints']) % len(JOINTS)
        order = list(range(shift, len(JOINTS))) + list(range(shift))
        msg.name = [JOINTS[index] for index in order]
        for index in order:
            frequency = 0.1 * (index + 1)
            phase = 2.0 * math.pi * frequency * elapsed + index
            msg.position.append(0.8 * math.sin(phase))
            msg.velocity.append(0.8 * 2.0 * math.pi * frequency * math.cos(phase))
            msg.effort.append(2.0 * math.sin(phase) + self._random.gauss(0.0, 0.1))
        self._joints.publish(msg)

    def _publish_battery(self, stamp, elapsed: float) -> None:
        charge = _battery_charge(elapsed)
        msg = BatteryState()
        msg.header.stamp = stamp
        msg.percentage = charge
        msg.voltage = _battery_voltage(charge)
        msg.current = -2.0 + self._random.gauss(0.0, 0.1)
        msg.temperature = 30.0 + 5.0 * (1.0 - charge)
        msg.present = True
        self._battery.publish(msg)

    def _publish_diagnostics(self, stamp, elapsed: float) -> None:
        msg = DiagnosticArray()
        msg.header.stamp = stamp
        current = 1.5 + 0.5 * math.sin(0.3 * elapsed)
        msg.status = [
            *(motor_status(name, elapsed, current + self._random.gauss(0.0, 0.05))
              for name in MOTORS),
            battery_status(_battery_charge(elapsed))]
        self._diagnostics.publish(msg)

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
    stop = threading.Event()
    bridge: subprocess.Popen | None = None

    def on_signal(signum, frame):
        stop.set()
        if bridge is not None and bridge.poll() is None:
            bridge.send_signal(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:  # what rcl refuses in the ROS arguments or the environment: one line, as rtgraph says
        with ros_start_errors():
            options = parser.parse_args(remove_ros_args(argv)[1:])
            rclpy.init(args=argv, signal_handler_options=SignalHandlerOptions.NO)
    except RosStartError as error:
        print(f'rtgraph_demo: {error}', file=sys.stderr, flush=True)
        return EXIT_USAGE
    if options.with_bridge:
        bridge = _start_bridge(ros_arguments(argv[1:]))
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
