"""Which server instances are alive: a lock file held for a server's whole life.

A run's status names the server instance that queued it, not a process id: process ids are
reused (containers, reboots), so a dead run could look alive for ever. Each job manager takes
an exclusive ``flock`` on ``cache_dir()/instances/<id>.lock`` and keeps it until it shuts down;
the kernel releases the lock when the process dies, however it dies (SIGKILL included). An
instance is alive exactly while its lock is held, which any process can test by trying to take
it. A lock file nobody holds is a dead instance's, removed by the next server that starts.
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
from pathlib import Path

from explorer.paths import cache_dir

INSTANCES_FOLDER = "instances"
INSTANCE_PATTERN = re.compile(r"^[0-9a-f]{16}$")


def instances_dir() -> Path:
    """The folder of the instances' lock files (created on first use)."""
    folder = cache_dir() / INSTANCES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class InstanceLock:
    """This server's instance id and the lock that proves it is alive (see the module docstring)."""

    def __init__(self) -> None:
        self.instance_id = secrets.token_hex(8)
        self.path = instances_dir() / f"{self.instance_id}.lock"
        # locked under a temporary name first, so no other server sees an unlocked file and removes it
        temporary = self.path.with_suffix(".new")
        self._fd: int | None = os.open(temporary, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.replace(temporary, self.path)

    def release(self) -> None:
        """Give the lock up (the instance counts as dead from now on) and remove its file."""
        if self._fd is None:
            return
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def instance_alive(instance_id: str) -> bool:
    """True while the server instance ``instance_id`` holds its lock."""
    if not INSTANCE_PATTERN.match(instance_id or ""):
        return False
    path = instances_dir() / f"{instance_id}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False  # no lock file: the instance released it, or never existed
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing also drops a lock this test took
    return False


def remove_dead_locks() -> None:
    """Delete the lock files of instances that are gone."""
    for path in instances_dir().glob("*.lock"):
        if not instance_alive(path.stem):
            path.unlink(missing_ok=True)
