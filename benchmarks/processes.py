"""Start time and peak memory of server processes, read from /proc (psutil is not installed).

`running_bot` does not hand out its processes, so ours are found among this process's children
by their command line, which `trialbot.servers` builds.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def child_pid(command: List[str]) -> int:
    """The child of this process running `command` (a script, so its argv may start with the interpreter)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            argv = (stat.parent / "cmdline").read_bytes().decode().split("\0")[:-1]
        except (OSError, IndexError, ValueError):
            continue  # a process that ended meanwhile
        if parent == os.getpid() and argv[-len(command):] == command:
            return int(stat.parent.name)
    raise LookupError(f"no child process runs {' '.join(command)}")


def boot_clock() -> float:
    """Now, in seconds on the clock that /proc/<pid>/stat counts process start times on."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def started_at(pid: int) -> float:
    """When the process started, on `boot_clock` (to 1/CLK_TCK s, usually 10 ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[19]) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")
