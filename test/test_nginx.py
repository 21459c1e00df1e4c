# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The documented nginx configuration, for real: Debian's nginx on loopback in front of the app.

The test runs docs/nginx.conf itself, with only the listen port and the upstream address
changed, inside a minimal main configuration whose files all live in a temporary prefix.
"""

import os
from pathlib import Path
import re
import shutil
import subprocess

import pytest
from ros_helpers import free_port
from ros_helpers import wait_until
from sse_client import SSEClient
from web_helpers import FedSite
from web_helpers import HOST
from web_helpers import TOKEN

DOCS_CONF = Path(__file__).resolve().parent.parent / 'docs' / 'nginx.conf'
NGINX = shutil.which('nginx') or '/usr/sbin/nginx'
# Bytes nginx buffers per proxied response by default (proxy_buffer_size: one memory page).
PROXY_BUFFER = 4096

MAIN_CONF = """\
{user}
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def _site_conf(port: int, upstream_port: int) -> str:
    text = DOCS_CONF.read_text(encoding='utf-8')
    text, listens = re.subn(r'^\s*listen \[::\]:80;\n', '', text, flags=re.M)
    text, listen = re.subn(r'listen 80;', f'listen {HOST}:{port};', text)
    text, upstream = re.subn(r'server 127\.0\.0\.1:8080;', f'server {HOST}:{upstream_port};',
                             text)
    assert (listens, listen, upstream) == (1, 1, 1)
    return text


def _answers(site: FedSite, port: int) -> bool:
    try:
        return site.get('/healthz', port=port)[0] == 200
    except ConnectionRefusedError:
        return False


@pytest.fixture(scope='module')
def site():
    # A slow feed keeps every frame small: far below one proxy buffer. One for the module
    # (nginx starts once), so not conftest's make_site, which is per test.
    one = FedSite(batch=1, period=0.05)
    yield one
    one.close()


@pytest.fixture(scope='module')
def nginx(site, tmp_path_factory):
    prefix = tmp_path_factory.mktemp('nginx')
    port = free_port()
    (prefix / 'site.conf').write_text(_site_conf(port, site.port), encoding='utf-8')
    (prefix / 'nginx.conf').write_text(MAIN_CONF.format(
        user='user root;' if os.geteuid() == 0 else '', prefix=prefix,
        site=prefix / 'site.conf'), encoding='utf-8')
    process = subprocess.Popen(
        [NGINX, '-p', str(prefix), '-c', str(prefix / 'nginx.conf'), '-e',
         str(prefix / 'error.log'), '-g', f'daemon off; pid {prefix}/nginx.pid;'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: process.poll() is not None or _answers(site, port),
                   timeout=20, what='nginx to answer')
        assert process.poll() is None, process.stdout.read().decode()
        yield port
    finally:
        process.terminate()
        process.wait(10)
        process.stdout.close()


def test_healthz_through_nginx(site, nginx):
    status, _, body = site.get('/healthz', port=nginx)
    assert status == 200
    assert body == b'{"status":"ok"}'


def test_no_token_through_nginx_is_401(site, nginx):
    status, _, body = site.get('/', port=nginx)
    assert status == 401
    assert f'http://{HOST}:{nginx}/?token='.encode() in body  # the Host the browser used


def test_token_cookie_works_through_nginx_and_frames_arrive_unbuffered(site, nginx):
    status, headers, _ = site.get(f'/?token={TOKEN}', port=nginx)
    assert status == 303
    assert headers['Location'] == './'
    cookie = headers['Set-Cookie'].split(';', 1)[0]
    assert cookie.endswith(f'={TOKEN}')
    assert site.get('/', headers={'Cookie': cookie}, port=nginx)[0] == 200

    # Accept-Encoding as browsers send it: a proxy that compressed the stream would buffer it.
    browser_headers = {'Cookie': cookie, 'Accept-Encoding': 'gzip, deflate'}
    with SSEClient(HOST, nginx, headers=browser_headers, timeout=20) as client:
        assert client.status == 200
        assert client.headers['Content-Type'].startswith('text/event-stream')
        assert 'Content-Encoding' not in client.headers
        received = []
        while sum(event.event == 'data' for event in received) < 3:
            received.append(client.next_event())
    data_ids = [int(event.last_event_id) for event in received if event.event == 'data']
    assert data_ids == sorted(set(data_ids))
    # These events together are smaller than one proxy buffer or compression block: a proxy
    # that held the stream back would not have passed them on yet.
    assert sum(len(event.raw) for event in received) < PROXY_BUFFER
