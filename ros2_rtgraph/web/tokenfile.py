# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
The generated token, kept across restarts in a file only its owner can read.

A restarted bridge that generated a new token would lock out every browser that holds the old
one (in its cookie or a bookmark): the first start writes the token to
:func:`token_file_path` (mode 0600), later starts read it back, until the file is deleted, as
Jupyter keeps its configuration. A configured token wins and leaves the file alone. A file that
holds no usable token is replaced, a location that cannot be written gives a token for this run
only: each with a one-line warning for the log, never an exception. No rclpy here: main.py logs
the warnings.
"""

from collections.abc import Mapping
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import re
import secrets
import stat
import tempfile

#: Bytes of randomness in a generated token (43 URL-safe characters).
TOKEN_BYTES = 32
#: Shortest token accepted from the token file: 128 bits in URL-safe base64. Anything shorter
#: was not made by us (or was cut short); a token of one's choosing goes into ``server.token``.
MIN_KEPT_TOKEN_CHARS = 22
#: Longest token accepted from the token file (it travels in every URL and cookie).
MAX_KEPT_TOKEN_CHARS = 256
#: Permission bits of the token file: read and write for its owner only.
TOKEN_FILE_MODE = 0o600

_URL_SAFE = re.compile(r'[A-Za-z0-9_-]+')


def new_token() -> str:
    """Return a fresh random token, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class KeptToken:
    """The token in force, where it is kept, and what the log should say about that."""

    token: str  # '' = no token needed
    path: Path | None  # the token file; None when configured, or for this run only
    warnings: tuple[str, ...] = ()  # one line each, for the log


def token_file_path(environ: Mapping[str, str] = os.environ) -> Path:
    """
    Return where a generated token is kept: ``$ROS_HOME/rtgraph/token``, else ``~/.ros/...``.

    ROS's own convention: ``ROS_HOME`` when it is set and not empty, else ``~/.ros``.

    :param environ: the environment to read ``ROS_HOME`` from.
    """
    home = environ.get('ROS_HOME')
    base = Path(home).expanduser() if home else Path.home() / '.ros'
    return base / 'rtgraph' / 'token'


def choose_token(configured: str | None, path: Path) -> KeptToken:
    """
    Return the token in force: the configured one (the file is left alone), else the kept one.

    :param configured: ``server.token`` (or the ``token`` parameter): None for the kept (or a
        new) token, ``''`` to switch access control off.
    :param path: the token file, from :func:`token_file_path`.
    """
    if configured is not None:
        return KeptToken(configured, None)
    return kept_token(path)


def kept_token(path: Path) -> KeptToken:
    """
    Read the token kept in ``path``, or make one and keep it there (mode 0600).

    A file open to other users is tightened to 0600 and its token kept: the file is the user's
    own (hand-written or copied, most likely), and replacing it would lock out every browser
    again; the warning says how to get a new one. A file without a usable token is replaced.
    Where nothing can be written, the token lasts for this run only.

    :param path: the token file, from :func:`token_file_path`.
    :return: the token, never ``''``; ``path`` is None when it could not be kept.
    """
    try:
        text, warnings = _read_token_file(path)
    except FileNotFoundError:
        return _keep_new_token(path, replace=False)
    except OSError as error:
        return _for_this_run(path, error)
    problem = kept_token_problem(text)
    if problem is not None:
        return _keep_new_token(path, replace=True, warnings=(
            f'the token file {path} holds no usable token ({problem}): '
            'it now holds a new one',))
    return KeptToken(text, path, warnings)


def kept_token_problem(text: str) -> str | None:
    """
    Say why text read from the token file is no token, or None when it is one.

    :param text: the file's content without surrounding white space.
    """
    if not text:
        return 'it is empty'
    if not _URL_SAFE.fullmatch(text):
        return 'it is not URL-safe text'
    if len(text) < MIN_KEPT_TOKEN_CHARS:
        return f'{len(text)} characters, fewer than {MIN_KEPT_TOKEN_CHARS}'
    if len(text) > MAX_KEPT_TOKEN_CHARS:
        return f'more than {MAX_KEPT_TOKEN_CHARS} characters'
    return None


def _read_token_file(path: Path) -> tuple[str, tuple[str, ...]]:
    """Return the file's stripped text and warnings; tighten its mode if others may read it."""
    # O_NONBLOCK: opening a FIFO put there must not hang the start-up; regular files ignore it.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, 'rb') as file:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(0, 'not a regular file')
        warnings: tuple[str, ...] = ()
        mode = stat.S_IMODE(status.st_mode)
        if mode & 0o077:
            os.fchmod(fd, TOKEN_FILE_MODE)
            warnings = (f'the token file {path} was open to other users (mode {mode:04o}): '
                        'it is now 0600; delete it for a new token if others may have read it',)
        data = file.read(MAX_KEPT_TOKEN_CHARS + 100)
    # Bytes beyond ASCII become U+FFFD, which kept_token_problem calls not URL-safe.
    return data.decode('ascii', 'replace').strip(), warnings


def _keep_new_token(path: Path, *, replace: bool, warnings: tuple[str, ...] = ()) -> KeptToken:
    """Make a token and write it to ``path`` atomically (all of it or nothing, mode 0600)."""
    token = new_token()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        won = _write_token_file(path, token, replace=replace)
    except OSError as error:
        return _for_this_run(path, error, warnings)
    if not won:  # another bridge made the file a moment ago: share its token
        try:
            text, more = _read_token_file(path)
        except OSError as error:
            return _for_this_run(path, error, warnings)
        if kept_token_problem(text) is None:
            return KeptToken(text, path, warnings + more)
        return _keep_new_token(path, replace=True, warnings=warnings)
    return KeptToken(token, path, warnings)


def _write_token_file(path: Path, token: str, *, replace: bool) -> bool:
    """
    Write ``token`` to a private temporary file, then give it the name ``path``.

    :param replace: replace an existing file; else keep one that appeared meanwhile.
    :return: False when ``path`` appeared meanwhile and was kept.
    """
    fd, temporary = tempfile.mkstemp(prefix='.token-', dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, 'w', encoding='ascii') as file:
            file.write(token + '\n')
            file.flush()
            os.fsync(file.fileno())  # robots lose power: no empty file after a reboot
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # unlike rename, fails when the name exists
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links
            os.replace(temporary, path)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _for_this_run(path: Path, error: OSError, warnings: tuple[str, ...] = ()) -> KeptToken:
    reason = error.strerror or str(error)
    return KeptToken(new_token(), None, warnings + (
        f'cannot keep the token in {path} ({reason}): this token lasts for this run only',))
