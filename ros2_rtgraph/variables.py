# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
``${name}`` in a layout's topics, titles and labels: one YAML file for every robot of a fleet.

The file's ``variables:`` section gives names their values; ``ns``, the robot's namespace, is
always there ('' unless given: the root namespace), so ``topic: ${ns}/imu/data`` reads
``/imu/data`` on a robot without one and ``/robot2/imu/data`` with ``ns: /robot2``. The text
as written is kept beside its value (config.py: ``templates``), so a page can switch the
namespace at run time (editing.py) and a saved layout keeps ``${ns}``. Pure text rules; the
errors are ValueErrors that config.py turns into file:line:key messages.
"""

from collections.abc import Mapping
import re

#: A use: ``${name}``.
_USE = re.compile(r'\$\{([^{}]*)\}')
_NAME = re.compile(r'[A-Za-z_][A-Za-z0-9_]*')
#: A namespace: '' (the root) or '/a/b', each part a ROS name.
_NAMESPACE = re.compile(r'(?:/[A-Za-z_][A-Za-z0-9_]*)*')
#: The variable every layout has, and its value when the file gives none.
NAMESPACE = 'ns'
BUILT_IN = {NAMESPACE: ''}
#: How a text uses it.
NAMESPACE_USE = '${' + NAMESPACE + '}'


def is_namespace(text: str) -> bool:
    """Tell whether a text is a namespace: '' (the root) or '/a/b', each part a ROS name."""
    return _NAMESPACE.fullmatch(text) is not None


def uses_variables(text: str) -> bool:
    """Tell whether a text holds a ``${...}`` (well formed or not)."""
    return '${' in text


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """
    Return ``text`` with each ``${name}`` replaced by its value.

    :raise ValueError: a name ``variables`` lacks, or a ``${`` without its ``}``.
    """
    if text.count('${') != len(_USE.findall(text)):
        raise ValueError("a '${' without its '}': a variable is written ${name}")

    def value(match: re.Match) -> str:
        name = match[1]
        if name not in variables:
            raise ValueError(f"unknown variable ${{{name}}} (variables: {', '.join(variables)})")
        return variables[name]

    return _USE.sub(value, text)


def masked(text: str) -> str:
    """Return ``text`` with every ``${...}`` blanked out, for finding what follows them."""
    return _USE.sub(lambda match: '_' * len(match[0]), text)


def check_variable(name: str, value: str) -> None:
    """
    Refuse a variable that cannot be used: a name that is no name, a value holding ``${``.

    :raise ValueError: why; ``ns`` must be a namespace ('' or '/a/b').
    """
    if not _NAME.fullmatch(name):
        raise ValueError(f"invalid variable name {name!r}: letters, digits and '_', not first "
                         'a digit')
    if uses_variables(value):
        raise ValueError('a value cannot use other variables')
    if name == NAMESPACE and not is_namespace(value):
        raise ValueError(f"invalid namespace {value!r}: '' or '/name', '/a/b' (no trailing '/')")
