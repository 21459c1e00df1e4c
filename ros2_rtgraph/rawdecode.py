# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Read the wanted fields straight out of serialized (CDR) messages, without building a message.

Deserializing a sensor_msgs/Imu into Python objects costs tens of microseconds; the bridge
wants two or three numbers out of it. :func:`compile_decoder` lays the message type out the way
classic CDR (XCDR1, what rmw_fastrtps and rmw_cyclonedds put on the wire for ROS types) does:
a 4-byte encapsulation header, then every field in declaration order, each primitive aligned to
its own size (at most 8) relative to the end of that header. Runs of fixed-size fields become
one precompiled ``struct.Struct`` per start alignment; strings and sequences of primitives or
strings in between are skipped by reading their length. Types it cannot lay out (wstrings,
``long double``, sequences of messages before a wanted field) get no decoder: the caller
deserializes those messages as usual.

A decoder takes the serialized bytes and returns one value per requested path (ints, floats or
bools as ``struct`` reads them; None where an index into a sequence is past its end), or raises
:class:`RawDecodeError` for a message it cannot read (another encapsulation, e.g. XCDR2, or a
truncated buffer): the caller then deserializes that one message.
"""

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
import struct

from ros2_rtgraph.fieldpath import Segment
from ros2_rtgraph.msgtypes import ArrayType
from ros2_rtgraph.msgtypes import container
from ros2_rtgraph.msgtypes import element_class
from ros2_rtgraph.msgtypes import is_string
from ros2_rtgraph.msgtypes import MessageClass
from ros2_rtgraph.msgtypes import nested_class

Decoder = Callable[[bytes], Sequence]

#: Largest fixed array of messages that is unrolled into its elements.
MAX_UNROLLED = 64

_HEADER = 4  # encapsulation: 2 bytes kind (0x0000 CDR big-endian, 0x0001 little-endian), 2 options
_PRIMITIVES = {  # type string -> struct code; the size is the alignment
    'boolean': '?', 'octet': 'B', 'char': 'B', 'byte': 'B',
    'int8': 'b', 'uint8': 'B', 'int16': 'h', 'uint16': 'H', 'int32': 'i', 'uint32': 'I',
    'int64': 'q', 'uint64': 'Q', 'float': 'f', 'double': 'd',
}


class RawDecodeError(ValueError):
    """Raised for one message the compiled decoder cannot read; deserialize it instead."""


class _UnsupportedError(Exception):
    """The type cannot be laid out here: no decoder."""


# --- layout: the type as a flat list of items in wire order -----------------------------------
# A wanted path may end at a primitive, an element of a primitive array or sequence, a whole
# primitive array or sequence (a tuple), a string (str) or a whole sequence of strings (a list).
# ('fixed', code, count, path)      count primitives (1 = a plain field), path of the field
# ('string', path)                  uint32 length incl. NUL, then the bytes
# ('sequence', code, path)          uint32 count, then count primitives
# ('strings', path)                 sequence<string>: uint32 count, then that many strings

def _items(msg_class: MessageClass, prefix: tuple[Segment, ...]) -> Iterator[tuple]:
    """Yield the wire items of a message class in order (a generator: walked only as needed)."""
    fields = msg_class.get_fields_and_field_types()
    for (name, spelled), slot in zip(fields.items(), msg_class.SLOT_TYPES, strict=True):
        path = (*prefix, name)
        split = container(spelled)
        if spelled in _PRIMITIVES:
            yield ('fixed', _PRIMITIVES[spelled], 1, path)
        elif is_string(spelled):
            yield ('string', path)
        elif isinstance(split, ArrayType):
            element, size = split.element, split.size
            if element in _PRIMITIVES:
                yield ('fixed', _PRIMITIVES[element], size, path)
            elif is_string(element):
                for index in range(size):
                    yield ('string', (*path, index))
            elif size <= MAX_UNROLLED and (elements := element_class(slot)) is not None:
                for index in range(size):
                    yield from _items(elements, (*path, index))
            else:
                raise _UnsupportedError(spelled)
        elif split is not None:  # a sequence, bounded or not: a count, then the elements
            element = split.element
            if element in _PRIMITIVES:
                yield ('sequence', _PRIMITIVES[element], path)
            elif is_string(element):
                yield ('strings', path)
            else:
                raise _UnsupportedError(spelled)
        elif (member := nested_class(slot)) is not None:
            yield from _items(member, path)
        else:
            raise _UnsupportedError(spelled)


# --- compilation into steps --------------------------------------------------------------------
# A step is run per message with the read position `pos` relative to the end of the header:
# ('block', structs[8], sizes[8], slots)   fixed fields; struct and size by pos % 8
# ('string', slots)                       skip, or read into the slots
# ('strings', slots, last)                 the same; last: [bytes, list] of the last read
# ('array', struct, size, total, slots, wants)   a fixed array read whole, and elements of it
# ('sequence', code, size, wants, slots)   skip, picking the wanted elements [(index, slot)]
#                                          and the whole sequence for the slots
# `slots` say where each value read goes in the result.

def _block_layout(fields: list[tuple[str, int, list[tuple[int, int]]]], residue: int,
                  order: str) -> tuple[struct.Struct, int]:
    """Lay out fixed fields starting at pos % 8 == residue: (struct of the wanted, size)."""
    fmt = [order]
    pos = residue
    for code, count, wants in fields:
        size = struct.calcsize(code)
        pad = -pos % size
        start = pos + pad
        taken = 0  # elements of this field already covered by fmt
        fmt.append(f'{pad}x' if pad else '')
        for element, _slot in wants:
            skip = element - taken
            if skip:
                fmt.append(f'{skip * size}x')
            fmt.append(code)
            taken = element + 1
        if count - taken:
            fmt.append(f'{(count - taken) * size}x')
        pos = start + count * size
    compiled = struct.Struct(''.join(fmt))
    return compiled, pos - residue


def _wanted(targets: dict[tuple[Segment, ...], list[int]], path: tuple[Segment, ...],
            count: int | None) -> list[tuple[int, int]]:
    """Return [(element index, slot)] of the targets inside the field at ``path``."""
    found = []
    if count == 1 and path in targets:
        found += [(0, slot) for slot in targets.pop(path)]
    for target in [t for t in targets if len(t) == len(path) + 1 and t[:-1] == path]:
        index = target[-1]
        if not isinstance(index, int):
            continue
        if count is not None and count > 1 and index < 0:
            index += count
        if count is not None and count > 1 and not 0 <= index < count:
            continue  # fieldpath rejects these; leave them unfound
        found += [(index, slot) for slot in targets.pop(target)]
    return sorted(found)


def _compile_steps(msg_class: MessageClass, paths: Sequence[tuple[Segment, ...]],
                   order: str) -> list[tuple]:
    targets: dict[tuple[Segment, ...], list[int]] = {}
    for slot, path in enumerate(paths):
        targets.setdefault(path, []).append(slot)
    steps: list[tuple] = []
    block: list[tuple[str, int, list[tuple[int, int]]]] = []

    def close_block() -> None:
        if block:
            layouts = [_block_layout(block, residue, order) for residue in range(8)]
            slots = [slot for _, _, wants in block for _, slot in wants]
            steps.append(('block', [s for s, _ in layouts], [n for _, n in layouts], slots))
            block.clear()

    for item in _items(msg_class, ()):
        kind = item[0]
        if kind == 'fixed':
            _, code, count, path = item
            whole = targets.pop(path, []) if count > 1 else []
            wants = _wanted(targets, path, count)
            if whole:  # the whole array: one read of all its elements
                close_block()
                size = struct.calcsize(code)
                steps.append(('array', struct.Struct(f'{order}{count}{code}'), size,
                              count * size, whole, wants))
            else:
                block.append((code, count, wants))
            if not targets:
                break
            continue
        close_block()
        path = item[-1]
        whole = targets.pop(path, [])
        if kind == 'sequence':
            _, code, path = item
            wants = _wanted(targets, path, None)
            steps.append(('sequence', code, struct.calcsize(code), wants, whole))
        elif kind == 'strings':  # with the bytes and list of the last read, to reuse
            steps.append((kind, whole, []))
        else:
            steps.append((kind, whole))
        if not targets:
            break  # never lay out what follows the last wanted field
    if targets:
        raise _UnsupportedError(f'not found: {sorted(map(str, targets))}')
    close_block()
    # Trailing skips and unwanted blocks after the last wanted value are dead work.
    while steps and not _reads(steps[-1]):
        steps.pop()
    return steps


def _reads(step: tuple) -> bool:
    """Tell whether a step puts any value into the result."""
    kind = step[0]
    if kind == 'block':
        return bool(step[3])
    if kind == 'sequence':
        return bool(step[3] or step[4])
    if kind == 'array':
        return True
    return bool(step[1])


def _text(buf: bytes, start: int, length: int) -> str:
    """Decode a CDR string's bytes (the length counts the closing NUL)."""
    return buf[start:start + max(0, length - 1)].decode('utf-8', 'replace')


def _make_reader(steps: list[tuple], n_values: int, order: str) -> Callable[[bytes], list]:
    """Turn compiled steps into a function: bytes -> list of values by slot."""
    u32 = struct.Struct(order + 'I').unpack_from

    if len(steps) == 1 and steps[0][0] == 'block':
        # The common fixed layout (Float64, Vector3, ...): one struct read at a known place.
        unpack = steps[0][1][0].unpack_from
        slots = steps[0][3]
        if slots == list(range(n_values)):
            return lambda buf: unpack(buf, _HEADER)
        inverse = sorted(range(len(slots)), key=slots.__getitem__)

        def reorder(buf: bytes) -> list:
            values = unpack(buf, _HEADER)
            return [values[i] for i in inverse]
        return reorder

    def read(buf: bytes) -> list:
        out: list = [None] * n_values
        pos = 0
        for step in steps:
            kind = step[0]
            if kind == 'block':
                residue = pos & 7
                values = step[1][residue].unpack_from(buf, _HEADER + pos)
                for slot, value in zip(step[3], values, strict=True):
                    out[slot] = value
                pos += step[2][residue]
            elif kind == 'string':
                pos += -pos & 3
                length = u32(buf, _HEADER + pos)[0]
                for slot in step[1]:
                    out[slot] = _text(buf, _HEADER + pos + 4, length)
                pos += 4 + length
            elif kind == 'strings':
                pos += -pos & 3
                start = _HEADER + pos
                if step[1] and (seen := step[2]) and buf.startswith(seen[0], start):
                    # The same names as the message before (a robot's usual case): the same
                    # list, so the name tables built from it can be kept too.
                    texts = seen[1]
                    pos += len(seen[0])
                else:
                    count = u32(buf, start)[0]
                    pos += 4
                    texts = []
                    for _ in range(count):
                        pos += -pos & 3
                        length = u32(buf, _HEADER + pos)[0]
                        if step[1]:
                            texts.append(_text(buf, _HEADER + pos + 4, length))
                        pos += 4 + length
                    if step[1]:
                        step[2][:] = [buf[start:_HEADER + pos], texts]
                for slot in step[1]:
                    out[slot] = texts
            elif kind == 'array':  # a fixed array read whole
                _, whole_struct, size, total, whole, wants = step
                pos += -pos & (size - 1)
                values = whole_struct.unpack_from(buf, _HEADER + pos)
                for slot in whole:
                    out[slot] = values
                for index, slot in wants:
                    out[slot] = values[index]
                pos += total
            else:  # sequence of primitives
                _, code, size, wants, whole = step
                pos += -pos & 3
                count = u32(buf, _HEADER + pos)[0]
                pos += 4
                if count == 0 and size == 8:
                    # Whether an empty sequence of 8-byte values pads is writer-dependent.
                    raise RawDecodeError('empty sequence of 8-byte values')
                pos += -pos & (size - 1)
                for index, slot in wants:
                    if index < 0:
                        index += count
                    if 0 <= index < count:
                        out[slot] = struct.unpack_from(
                            order + code, buf, _HEADER + pos + index * size)[0]
                if whole:
                    values = struct.unpack_from(f'{order}{count}{code}', buf, _HEADER + pos)
                    for slot in whole:
                        out[slot] = values
                pos += count * size
        if _HEADER + pos > len(buf):
            raise RawDecodeError('message shorter than its layout')
        return out
    return read


def compile_decoder(msg_class: MessageClass,
                    paths: Sequence[tuple[Segment, ...]]) -> Decoder | None:
    """
    Compile a reader of the given fields out of serialized messages of one type.

    :param msg_class: the generated message class, e.g. ``sensor_msgs.msg.Imu``.
    :param paths: the segments of paths already checked with
        :func:`ros2_rtgraph.fieldpath.check_path` (``FieldPath.segments``), e.g.
        ``[('linear_acceleration', 'z'), *msgtypes.HEADER_STAMP]``.
    :return: ``decode(serialized) -> values`` with one value per path, or None when the type's
        layout cannot be read here (deserialize those messages instead).
    """
    unique = list(dict.fromkeys(paths))
    try:
        little = _make_reader(_compile_steps(msg_class, unique, '<'), len(unique), '<')
        big = _make_reader(_compile_steps(msg_class, unique, '>'), len(unique), '>')
    except _UnsupportedError:
        return None
    if len(unique) < len(paths):  # a path asked twice is read once
        spread = [unique.index(path) for path in paths]
        little_once, big_once = little, big
        little = lambda buf: [values[i] for values in (little_once(buf),) for i in spread]  # noqa: E731 a closure per byte order
        big = lambda buf: [values[i] for values in (big_once(buf),) for i in spread]  # noqa: E731 a closure per byte order

    def decode(buf: bytes) -> Sequence:
        if buf[0] != 0 or buf[1] > 1:
            raise RawDecodeError(f'encapsulation {buf[0]:#04x}{buf[1]:02x} is not classic CDR')
        try:
            return (little if buf[1] else big)(buf)
        except (struct.error, IndexError) as error:
            raise RawDecodeError(str(error)) from None
    return decode
