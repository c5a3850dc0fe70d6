"""Helpers shared by the model tests: daemon configuration files and small-machine memory roots."""

from __future__ import annotations

import json
import os


def write_config(workdir, settings, name="elohimd.json"):
    """Writes an elohimd.json with `settings` into `workdir`; returns its path."""
    path = os.path.join(workdir, name)
    with open(path, "w") as handle:
        json.dump(settings, handle)
    return path


def small_machine(workdir, total_kb=65536, available_kb=60000):
    """A /proc/meminfo-only root (no cgroup limits): a 64 MiB machine by default."""
    root = os.path.join(workdir, "memroot")
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)
    with open(os.path.join(root, "proc", "meminfo"), "w") as handle:
        handle.write(f"MemTotal:       {total_kb} kB\nMemFree:        {available_kb} kB\nMemAvailable:   {available_kb} kB\n")
    return root
