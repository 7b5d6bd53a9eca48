"""Atomic writes: readers see either the old file or the complete new one, never a part.

Every file countysim writes goes through :func:`atomic_path`, every folder (a run folder) through
:func:`atomic_folder`: the content is written to a hidden temporary sibling
(``.NAME.cs@HOST@PID@XXXX.tmp``) and renamed over the target only once complete. Files get the mode the
umask allows (0666 & ~umask), folders 0777 & ~umask, so a research group can share results on a common
file system. A temporary left by a killed process (SIGKILL, power loss) names its host and process id:
the next write into the same folder removes it once that process is gone (:func:`remove_stale_temporaries`).
:func:`check_can_create` tells before a long simulation whether its output can be written at all.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HOST = re.sub(r"[^A-Za-z0-9_.-]", "_", socket.gethostname()) or "host"
_STALE = re.compile(r"^\..+\.cs@(?P<host>[^@]+)@(?P<pid>\d+)@.*\.tmp$")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _prefix(name: str) -> str:
    return f".{name}.cs@{_HOST}@{os.getpid()}@"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove temporaries in ``folder`` left by dead processes of this host. Returns what was removed."""
    removed = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = _STALE.match(entry.name)
        if not m or m["host"] != _HOST or int(m["pid"]) == os.getpid() or _alive(int(m["pid"])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def check_can_create(path: str | Path, label: str = "--out") -> None:
    """Raise ``ConfigError`` unless ``path`` (a file or folder to be created) can be written.

    Checks the nearest existing ancestor: it must be a folder in which this process can create entries
    (tried with a probe, so read-only mounts and ACLs count). Nothing is created or left behind.
    """
    from sim.config.loader import ConfigError

    path = Path(path)
    ancestor = path.absolute().parent
    while not ancestor.exists():
        if ancestor.is_symlink():
            raise ConfigError(f"{label} {path}: {ancestor} is a broken link; expected a writable folder")
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError(f"{label} {path}: {ancestor} is a file, not a folder; expected a writable folder")
    try:
        probe = tempfile.mkdtemp(dir=ancestor, prefix=_prefix("probe"), suffix=".tmp")
        os.rmdir(probe)
    except OSError as exc:
        raise ConfigError(f"{label} {path}: cannot write in {ancestor} ({exc.strerror or exc}); "
                          "expected a writable folder") from None


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path``, on error removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_prefix(path.name), suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(path: str | Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path`` (mode 0777 & ~umask),
    on any error or interruption it is removed. Without ``overwrite`` an existing ``path`` is an error."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path}: output folder already exists (choose another --out)")
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=_prefix(path.name), suffix=".tmp"))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_parquet_atomic(table, path: str | Path) -> None:
    """Write a pandas table to a Parquet file atomically (no index)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)
