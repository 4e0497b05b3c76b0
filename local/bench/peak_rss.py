"""Peak resident memory (VmHWM) of every running function process of the local stack,
the largest instance per function: run right after a load, before the stack stops.

    python local/bench/peak_rss.py target/release
"""

import sys
from pathlib import Path


def main():
    binaries = Path(sys.argv[1]).resolve()
    peaks = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            exe = (proc / "exe").resolve()
            if exe.parent != binaries:
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        name = exe.name.removesuffix(" (deleted)")  # rebuilt while running
        peaks[name] = max(peaks.get(name, 0), kib)
    print(f"{'function':28} {'peak RSS (MiB)':>15}")
    for name, kib in sorted(peaks.items(), key=lambda item: -item[1]):
        print(f"{name:28} {kib / 1024:>15.1f}")


if __name__ == "__main__":
    main()
