# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
``rtgraph``: the bridge process. Owns every thread and the one shutdown path.

Lifecycle: install SIGINT/SIGTERM handlers that set one stop event (rclpy's own handlers are
switched off: they would shut the context down behind our back and skip our clean-up), init
rclpy, build the node (it loads the configuration) and over its rings the web side (frame pump,
web app and server: :func:`ros2_rtgraph.web.build_site`), then spin the node on this thread until
the stop event is set: with the drain loop of :mod:`ros2_rtgraph.ingest` where rclpy allows,
else with the standard executor alone. The same event ends the frame pump and, through it,
every open stream. Shutdown runs in reverse order: web side (the server frees the port, the pump
is joined), node, rclpy.

Exit status: 0 after a signal, 2 when the configuration, the ROS arguments, the ROS environment
or the address cannot be used (one line on stderr; a traceback always means a bug).
"""

import argparse
from collections.abc import Iterator
import contextlib
import re
import signal
import socket
import sys
import threading

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import SingleThreadedExecutor
from rclpy.impl.implementation_singleton import rclpy_implementation as _rclpy
from rclpy.signals import SignalHandlerOptions
from rclpy.utilities import remove_ros_args

from ros2_rtgraph.config import ConfigError
from ros2_rtgraph.ingest import DrainLoop
from ros2_rtgraph.node import GraphNode
from ros2_rtgraph.web import build_site
from ros2_rtgraph.web.auth import LOG_LINE_PREFIX
from ros2_rtgraph.web.auth import open_access_warning
from ros2_rtgraph.web.auth import serving_urls
from ros2_rtgraph.web.server import ServerBindError
from ros2_rtgraph.web.tokenfile import choose_token
from ros2_rtgraph.web.tokenfile import KeptToken
from ros2_rtgraph.web.tokenfile import token_file_path
from ros2_rtgraph.writer import clock_seconds

#: Exit status for a configuration or address that cannot be used.
EXIT_USAGE = 2
#: Seconds one executor wake-up may wait, which bounds how late the stop event is noticed.
SPIN_TIMEOUT = 0.1
#: The signals that end the bridge.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: rcl's "Couldn't parse <what>: '<argument>'. Error: <detail>" about one ROS argument.
_RCL_ARGUMENT = re.compile(
    r"Couldn't parse (?P<what>[^:]+): '(?P<argument>.*)'\.(?: Error: (?P<detail>.*))?")
#: ``-p name:=`` with nothing after it: what the shell leaves of ``-p name:=''``.
_EMPTY_PARAMETER = re.compile(r'(?:-p|--param) (?P<name>[^\s:]+):=')


class RosStartError(Exception):
    """Raised when rcl refuses the ROS arguments or the environment at start-up."""


def _rcl_error_line(text: str) -> str:
    """Say in one line what rcl refused, from its error text less the C source locations."""
    text = re.sub(r', at \S+:\d+', '', text.splitlines()[0] if text else '')
    match = _RCL_ARGUMENT.search(text)
    if match is None:
        hint = ''
        if 'logging' in text:
            hint = ('; ROS writes its log files in $ROS_LOG_DIR, else $ROS_HOME/log, else '
                    '~/.ros/log: that must be a directory this user can write')
        return f'cannot start ROS: {text}{hint}'
    detail = match['detail']
    line = f"cannot parse the ROS argument '{match['argument']}' ({match['what']}"
    line += f': {detail})' if detail and detail != 'error not set' else ')'
    empty = _EMPTY_PARAMETER.fullmatch(match['argument'])
    if empty:
        line += f"; for an empty value write -p \"{empty['name']}:=''\""
    return line


@contextlib.contextmanager
def ros_start_errors() -> Iterator[None]:
    """Turn what rclpy raises for the user's ROS arguments or environment into RosStartError."""
    try:
        yield
    except _rclpy.UnknownROSArgsError as error:  # a subclass of RCLError in some rclpy versions
        raise RosStartError(f'unknown ROS arguments: {error}') from None
    except _rclpy.RCLError as error:
        raise RosStartError(_rcl_error_line(str(error))) from None
    except ParameterException as error:  # a parameter of the wrong type for its declaration
        raise RosStartError(f'node parameters: {error}') from None


def _parse_args(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(
        prog='rtgraph',
        description='Chart ROS 2 topics live in a browser. Settings are node parameters: '
                    '--ros-args -p config_file:=FILE -p host:=ADDR -p port:=N -p token:=T '
                    '-p frame_rate:=HZ')
    with ros_start_errors():
        arguments = remove_ros_args(argv)[1:]
    parser.parse_args(arguments)


def _spin(node: GraphNode, stop: threading.Event) -> None:
    """Run the node's callbacks until the stop event is set."""
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    try:
        if node.drains:
            _drain(DrainLoop(node, executor, period=1.0 / node.config.server.frame_rate), stop)
        while not stop.is_set():
            executor.spin_once(timeout_sec=SPIN_TIMEOUT)
    finally:
        executor.shutdown()


def _drain(loop: DrainLoop, stop: threading.Event) -> None:
    """
    Run the drain loop on a thread of its own until the stop event is set.

    The loop sleeps in a DDS wait that a signal does not interrupt, and Python runs signal
    handlers on the main thread only: so the main thread waits for the loop's thread (a wait
    that signals do interrupt), and the handlers, besides setting the stop event, wake the loop.
    A loop that fails ends the process as before: its exception is raised here.
    """
    failure: list[Exception] = []

    def run() -> None:
        try:
            loop.spin(stop)
        except Exception as error:  # noqa: BLE001 (raised again on the main thread)
            failure.append(error)
            stop.set()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()
        loop.wake()

    thread = threading.Thread(target=run, name='rtgraph-ros')
    handlers = {signum: signal.signal(signum, on_signal) for signum in STOP_SIGNALS}
    try:
        if not stop.is_set():  # a signal before the handlers above were in place
            thread.start()
            thread.join()
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        if thread.ident is not None:
            stop.set()
            loop.wake()
            thread.join()
    if failure:
        raise failure[0]


def _choose_token(node: GraphNode, configured: str | None) -> KeptToken:
    """Return the configured token, else the kept one; log why the file could not serve."""
    kept = choose_token(configured, token_file_path())
    for warning in kept.warnings:
        node.get_logger().warning(warning)
    return kept


def _announce(node: GraphNode, host: str, port: int, kept: KeptToken) -> None:
    """
    Warn if open, then print the URL (with the token, once: it is the key to the page).

    The URL comes last: a script (or test) that waits for it has the warning in the log too.
    """
    warning = open_access_warning(host, kept.token)
    if warning:
        node.get_logger().warning(warning)
    urls = serving_urls(host, port, kept.token, socket.gethostname())
    print(LOG_LINE_PREFIX + '  or  '.join(urls), flush=True)
    if kept.path is not None:
        # A line of its own: scripts take everything after 'serving on ' as the URL.
        print(f'rtgraph: the token is kept in {kept.path}; delete that file for a new token',
              flush=True)


def main(argv: list[str] | None = None) -> int:
    """
    Run the bridge until SIGINT or SIGTERM.

    :param argv: command-line arguments without the program name (default: ``sys.argv``);
        ROS arguments follow ``--ros-args``.
    :return: the exit status.
    """
    args = sys.argv if argv is None else ['rtgraph', *argv]
    stop = threading.Event()
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda _signum, _frame: stop.set())
    try:
        _parse_args(args)
        # Clean-up runs in reverse order of registration, each step once what it undoes exists.
        with contextlib.ExitStack() as cleanup:
            with ros_start_errors():
                rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
            cleanup.callback(rclpy.try_shutdown)
            with ros_start_errors():
                node = GraphNode(drain=True)
            cleanup.callback(node.destroy_node)
            server_config = node.config.server
            kept = _choose_token(node, server_config.token)
            clock = node.get_clock()
            site = build_site(node.layout, token=kept.token, stop_event=stop,
                              clock=lambda: clock_seconds(clock), log=node.get_logger().info,
                              explorer=node)
            cleanup.callback(site.stop)  # sets the stop event, frees the port, joins the pump
            site.start()
            _announce(node, server_config.host, site.port, kept)
            _spin(node, stop)
    except (ConfigError, RosStartError, ServerBindError) as error:
        print(f'rtgraph: {error}', file=sys.stderr, flush=True)
        return EXIT_USAGE
    return 0


if __name__ == '__main__':
    sys.exit(main())
