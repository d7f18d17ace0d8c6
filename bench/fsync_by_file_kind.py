#!/usr/bin/env python3
"""fdatasync latency and CPU after a 2 KiB pwrite, by how the file was made.

    python3 bench/fsync_by_file_kind.py [DIR]

Writes a scratch file in DIR (default: the current directory, so run it on the
disk the log lives on), 3000 writes per kind. bench/PROFILE.md has the figures
that made the event log preallocate its active segment.
"""
import ctypes
import os
import sys
import time

WRITES = 3000
RECORD = 2048
FALLOC_FL_KEEP_SIZE = 1


def measure(kind, path):
    if os.path.exists(path):
        os.unlink(path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    size = WRITES * RECORD
    if kind == "zeros written":
        os.pwrite(fd, b"\0" * size, 0)
        os.fsync(fd)
    elif kind == "fallocate":
        os.posix_fallocate(fd, 0, size)
        os.fsync(fd)
    elif kind == "fallocate keep_size":
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.fallocate(fd, FALLOC_FL_KEEP_SIZE, ctypes.c_long(0), ctypes.c_long(size))
        os.fsync(fd)
    record = b"x" * RECORD
    took = []
    cpu_start = time.process_time()
    for i in range(WRITES):
        start = time.perf_counter()
        os.pwrite(fd, record, i * RECORD)
        os.fdatasync(fd)
        took.append(time.perf_counter() - start)
    cpu = time.process_time() - cpu_start
    os.close(fd)
    os.unlink(path)
    took.sort()
    print(f"{kind:20s} p50 {took[WRITES // 2] * 1e6:5.0f} us  p99 {took[int(WRITES * 0.99)] * 1e6:5.0f} us"
          f"  {WRITES / sum(took):6.0f} syncs/s  process CPU {cpu / WRITES * 1e6:5.1f} us/sync")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    path = os.path.join(directory, "fsync_by_file_kind.scratch")
    for kind in ["appended", "zeros written", "fallocate", "fallocate keep_size"]:
        measure(kind, path)


if __name__ == "__main__":
    main()
