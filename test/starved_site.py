# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
A fed site in a process of its own, whose file descriptors something else has taken.

``python starved_site.py LIMIT FREE TOKEN`` sets the process's RLIMIT_NOFILE to LIMIT, starts a
:class:`web_helpers.FedSite` with TOKEN, then opens ``/dev/null`` until no descriptor is left
and closes FREE of them again: the server's accept() soon fails with EMFILE, well below its
connection cap. It prints the port and serves until its standard input closes.
"""

import os
import resource
import sys


def main() -> None:
    limit, free, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    # After the limit: the server sizes its cap by it.
    from web_helpers import FedSite
    from web_helpers import HOST

    from ros2_rtgraph.web.auth import cookie_name

    site = FedSite(token=token)
    # A first page load reads and caches the template, which later ones would need a
    # descriptor for (exhaustion breaks more than accept()).
    assert site.get(f'/?token={token}')[0] == 303
    assert site.get('/', headers={'Cookie': f'{cookie_name(f"{HOST}:{site.port}")}={token}'})[0] \
        == 200
    taken = []
    try:
        while True:
            taken.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    for fd in taken[len(taken) - free:]:
        os.close(fd)
    print(site.port, site.server.connection_limit, flush=True)
    sys.stdin.read()
    site.close()


if __name__ == '__main__':
    main()
