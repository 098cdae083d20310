"""ZIP archives of article files, including truncated ones.

A truncated zip has lost its central directory (the index at the end), so ``zipfile``
refuses it outright.  Its members are still there, each behind a local file header; we
recover every complete member by scanning for those headers, and report the archive as
truncated, so that a partial download loses only its last, cut member.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from typing import BinaryIO

from marsad.sources.items import Item

#: Members larger than this (uncompressed) are refused: no article file is this large.
MAX_MEMBER = 512 * 1024 * 1024

_LOCAL = b"PK\x03\x04"
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")

MemberReader = Callable[[str, bytes, str], Iterator[Item]]


def zip_items(fh: BinaryIO, where: str, read_member: MemberReader) -> Iterator[Item]:
    """Items of every supported member, in archive order.

    ``read_member(name, data, where)`` turns a member's bytes into items (the caller knows
    which extensions it supports and returns nothing for the rest).
    """
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile:
        yield from _salvage(fh, where, read_member)
        return
    except (OSError, EOFError) as exc:
        yield Item(where, error=f"cannot read zip archive: {exc}")
        return
    with zf:
        for info in zf.infolist():
            if info.is_dir() or _skip_name(info.filename):
                continue
            loc = f"{where}!{info.filename}"
            if info.flag_bits & 0x1:
                yield Item(loc, error="encrypted zip member")
                continue
            if info.file_size > MAX_MEMBER:
                yield Item(loc, error=f"member of {info.file_size // (1024 * 1024)} MB is too large")
                continue
            try:
                data = zf.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
                yield Item(loc, error=f"damaged zip member: {exc}")
                continue
            yield from read_member(info.filename, data, loc)


def _skip_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return not base or base.startswith(".") or name.startswith("__MACOSX/")


def _salvage(fh: BinaryIO, where: str, read_member: MemberReader) -> Iterator[Item]:
    """Recover members of a zip without a central directory from their local headers."""
    try:
        fh.seek(0)
        data = fh.read(MAX_MEMBER * 2)
    except OSError as exc:
        yield Item(where, error=f"cannot read zip archive: {exc}")
        return
    if not data.startswith(_LOCAL):
        yield Item(where, error="not a zip archive (or damaged beyond repair)")
        return
    pos = 0
    recovered = 0
    lost: list[str] = []
    while True:
        pos = data.find(_LOCAL, pos)
        if pos < 0 or pos + _LOCAL_HEADER.size > len(data):
            break
        (_sig, _ver, flags, method, _t, _d, crc, csize, usize, nlen, xlen) = _LOCAL_HEADER.unpack_from(data, pos)
        name_start = pos + _LOCAL_HEADER.size
        name = data[name_start:name_start + nlen].decode("utf-8" if flags & 0x800 else "cp437", "replace")
        body = name_start + nlen + xlen
        member, end = _inflate(data, body, method, flags, csize, usize)
        if member is None or (not flags & 0x08 and zlib.crc32(member) != crc):
            if not name.endswith("/") and not _skip_name(name):
                lost.append(name)
            pos += 4
            continue
        pos = end
        if name.endswith("/") or _skip_name(name):
            continue
        recovered += 1
        yield from read_member(name, member, f"{where}!{name}")
    lost_txt = f"; lost: {', '.join(lost[:3])}" if lost else ""
    yield Item(where, error=f"truncated or damaged zip (no central directory): recovered {recovered} "
                            f"member(s) from their local headers{lost_txt}")


def _inflate(data: bytes, start: int, method: int, flags: int, csize: int,
             usize: int) -> tuple[bytes | None, int]:
    """(member bytes, end offset), or (None, start) when the member is cut or unsupported."""
    if method == 0:
        if flags & 0x08 or start + csize > len(data):
            return None, start
        return data[start:start + csize], start + csize
    if method != 8:
        return None, start
    d = zlib.decompressobj(-15)
    try:
        out = d.decompress(data[start:start + csize] if csize and not flags & 0x08 else data[start:],
                           MAX_MEMBER)
    except zlib.error:
        return None, start
    if not d.eof:
        return None, start
    end = len(data) - len(d.unused_data) if not (csize and not flags & 0x08) else start + csize
    if flags & 0x08:  # data descriptor after the data: optional signature, crc, sizes
        end += 16 if data[end:end + 4] == b"PK\x07\x08" else 12
    return out, end
