# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Many, slow and dead clients: the stream cap, a connection storm, a stalled reader, SIGTERM.

Most tests run the real ``rtgraph`` process fed by a real publisher and count the threads,
file descriptors and memory of that process in /proc (test_exhaustion.py adds a crowd of
drip-fed connections). Tests of the cap and of the client
timeout use the app in this process, where the open-stream count can be read directly.
"""

import os
import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
from ros_helpers import Bridge
from ros_helpers import rtgraph_command
from ros_helpers import wait_until
from ros_helpers import write_config
from ros_load import RatePublisher
from sse_client import SSEClient
from web_helpers import FedSite
from web_helpers import HOST
from web_helpers import site_config
from web_helpers import TOKEN

FRAME_RATE = 20
CONNECTED = ') connected\n'  # the end of the bridge's log line for a new stream client
BRIDGE_YAML = f"""\
server:
  frame_rate: {FRAME_RATE}
  max_clients: 60
charts:
  - title: Load
    series:
      - {{topic: /clients/load, type: std_msgs/msg/Float64, field: data}}
"""


@pytest.fixture(scope='module')
def robot(robot_peer):
    return robot_peer.node('test_clients_robot')


def _start_bridge(tmp_path) -> Bridge:
    return Bridge(rtgraph_command(write_config(tmp_path, BRIDGE_YAML))).wait_serving()


@pytest.fixture(scope='module')
def bridge(tmp_path_factory, robot):
    process = _start_bridge(tmp_path_factory.mktemp('clients'))
    load = RatePublisher(robot, '/clients/load', 500)
    try:
        yield process
    finally:
        load.close()
        process.close()


def _stream_path(bridge: Bridge) -> str:
    """Return /stream with the token of the bridge's logged URL, when it has one."""
    query = urlsplit(bridge.url).query
    return f'/stream?{query}' if query else '/stream'


def _connect(bridge: Bridge, timeout: float = 10.0) -> SSEClient:
    client = SSEClient(bridge.host, bridge.port, path=_stream_path(bridge), timeout=timeout)
    assert client.status == 200
    return client


def _threads(pid: int) -> int:
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('Threads:'))


def _fds(pid: int) -> int:
    return len(os.listdir(f'/proc/{pid}/fd'))


def _rss_kib(pid: int) -> int:
    with open(f'/proc/{pid}/status', encoding='ascii') as status:
        return next(int(line.split()[1]) for line in status if line.startswith('VmRSS:'))


def _wait_for_data(client: SSEClient) -> None:
    client.next_event('data', timeout=20)


# --- the real process --------------------------------------------------------------------------

def test_a_storm_of_50_clients_leaves_no_threads_or_fds_behind(bridge):
    pid = bridge.process.pid
    with _connect(bridge) as warm_up:  # the first stream may create lasting state
        _wait_for_data(warm_up)
    time.sleep(1.0)  # settle: the warm-up's stream ends at its next write
    threads_before, fds_before = _threads(pid), _fds(pid)
    connected_before = bridge.stderr().count(CONNECTED)

    errors = []

    def visit(number: int) -> None:
        try:
            client = _connect(bridge, timeout=20)
            try:
                client.next_event('meta')
                if number % 2:
                    _wait_for_data(client)
            finally:
                if number % 3 == 0:
                    # Vanish without a FIN handshake being waited for: a reset.
                    client._socket.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
                client.close()
        except Exception as error:  # noqa: BLE001 reported below with the visit number
            errors.append((number, repr(error)))

    visitors = [threading.Thread(target=visit, args=(n,)) for n in range(50)]
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join(60)
    assert errors == []
    # The storm did reach the bridge: 50 streams, served by its fixed pool of worker threads.
    wait_until(lambda: bridge.stderr().count(CONNECTED) - connected_before == 50,
               timeout=10, what='50 connect lines')
    wait_until(lambda: _threads(pid) <= threads_before and _fds(pid) <= fds_before,
               timeout=30, what=f'threads back to {threads_before} and fds to {fds_before} '
                                f'(now {_threads(pid)}, {_fds(pid)})')
    assert bridge.process.poll() is None


def test_a_stalled_client_does_not_slow_the_others_or_grow_memory(bridge):
    pid = bridge.process.pid
    stalled = socket.socket()
    # A tiny receive window, and never a read: the bridge's writes to it soon block.
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((bridge.host, bridge.port))
    stalled.sendall(f'GET {_stream_path(bridge)} HTTP/1.1\r\nHost: x\r\n\r\n'.encode())
    try:
        with _connect(bridge) as reader:
            _wait_for_data(reader)
            rss_before = _rss_kib(pid)
            seconds = 4.0
            frames = 0
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                _wait_for_data(reader)
                frames += 1
            rss_after = _rss_kib(pid)
    finally:
        stalled.close()
    # Generous: a third of the frame rate, on a shared 2-core machine.
    assert frames >= FRAME_RATE * seconds / 3
    assert rss_after - rss_before < 40 * 1024, (rss_before, rss_after)


def test_sigterm_while_5_clients_stream_and_1_khz_flows_exits_0_within_2_s(tmp_path, robot):
    process = _start_bridge(tmp_path)
    load = RatePublisher(robot, '/clients/load', 1000)
    clients = []
    try:
        for _ in range(5):
            clients.append(_connect(process, timeout=20))
        for client in clients:
            _wait_for_data(client)
        process.process.send_signal(signal.SIGTERM)
        assert process.process.wait(timeout=2) == 0
        assert 'Traceback' not in process.stderr()
    finally:
        load.close()
        for client in clients:
            client.close()
        process.close()


# --- the app in this process -----------------------------------------------------------------

@pytest.fixture
def small_site(make_site):
    return make_site(site_config(max_clients=2, max_points=2000), client_timeout=1.0, batch=50,
                     period=0.005)


def _stream(site: FedSite) -> SSEClient:
    return SSEClient(HOST, site.port, path=f'/stream?token={TOKEN}')


def test_streams_beyond_the_cap_get_503_with_retry_after_until_a_slot_frees(small_site):
    first, second = _stream(small_site), _stream(small_site)
    try:
        assert (first.status, second.status) == (200, 200)
        status, headers, body = small_site.get(f'/stream?token={TOKEN}')
        assert status == 503
        assert int(headers['Retry-After']) > 0
        assert b'at most 2' in body
        assert small_site.get(f'/api/config?token={TOKEN}')[0] == 200  # only streams count
        first.close()
        wait_until(lambda: small_site.streams.active == 1, what='the slot to be freed')
        with _stream(small_site) as third:
            assert third.status == 200
            assert third.next_event().event == 'meta'
    finally:
        first.close()
        second.close()


def test_a_client_that_stops_reading_is_dropped_and_frees_its_slot(small_site):
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((HOST, small_site.port))
    try:
        stalled.sendall(f'GET /stream?token={TOKEN} HTTP/1.1\r\nHost: x\r\n\r\n'.encode())
        wait_until(lambda: small_site.streams.active == 1, what='the stream to start')
        with _stream(small_site) as reader:
            reader.next_event('data')
            # The stalled one fills its buffers, blocks past the 1 s timeout and is dropped.
            wait_until(lambda: small_site.streams.active == 1, timeout=60,
                       what='the stalled stream to be dropped')
            reader.next_event('data')  # the reader is still served
    finally:
        stalled.close()


def test_a_connection_that_never_sends_a_request_is_closed(small_site):
    with socket.create_connection((HOST, small_site.port)) as idle:
        idle.settimeout(30)
        assert idle.recv(1) == b''  # the server closed it after its 1 s timeout
