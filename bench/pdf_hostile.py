"""Hostile-PDF timings: build every sample upload and time the checker on it.

Usage: ``.venv/bin/python bench/pdf_hostile.py [--repeat N] [--seconds S]
[--attackers A] [--places P] [--wait W]``

Prints one row per sample: its size, the verdict, the wall-clock time of
:func:`pamong.documents.pdfcheck.check_pdf` (the median of ``--repeat`` runs)
and the processor time its child used, then the median time of the good
one-page PDF over more runs.

With ``--attackers A`` it then starts ``A`` threads that check the costly
``text_heavy`` sample over and over, each through the host-wide places of
:func:`pamong.documents.pdfcheck.check_slot` (``--places``, ``--wait``), as
the application does, and times a genuine many-page SK checked meanwhile.
"""

import argparse
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pamong.documents.pdfcheck import Busy, check_pdf, check_slot
from tests import pdf_samples


def child_cpu() -> float:
    """Return the processor seconds used by finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_check(path: Path, seconds: int, repeat: int) -> tuple[str, float, float]:
    """Check ``path`` ``repeat`` times; return the verdict, median ms, CPU ms."""
    times = []
    cpu = []
    for _ in range(repeat):
        used = child_cpu()
        started = time.perf_counter()
        check = check_pdf(path, seconds=seconds)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((child_cpu() - used) * 1000)
    verdict = "ok" if check.ok else check.reason
    return verdict, statistics.median(times), statistics.median(cpu)


def under_attack(folder: Path, args) -> None:
    """Time genuine checks while attackers keep the checker busy."""
    bomb = pdf_samples.text_heavy(folder)
    genuine = pdf_samples.many_pages(folder)
    places = folder / "places"
    stop = threading.Event()
    counts = {"checked": 0, "busy": 0}

    def attack() -> None:
        """Check the costly sample until told to stop."""
        while not stop.is_set():
            try:
                with check_slot(places, args.places, args.wait):
                    check_pdf(bomb, seconds=args.seconds)
                counts["checked"] += 1
            except Busy:
                counts["busy"] += 1

    threads = [threading.Thread(target=attack) for _ in range(args.attackers)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    print(f"\n{args.attackers} attackers, {args.places} places, wait {args.wait} s:")
    for run in range(3):
        started = time.perf_counter()
        try:
            with check_slot(places, args.places, args.wait):
                waited = time.perf_counter() - started
                check = check_pdf(genuine, seconds=args.seconds)
            verdict = "ok" if check.ok else check.reason
        except Busy:
            waited, verdict = time.perf_counter() - started, "busy"
        total = time.perf_counter() - started
        print(
            f"  genuine SK run {run + 1}: {verdict:<12} "
            f"waited {waited:.1f} s, {total:.1f} s in all",
            flush=True,
        )
    stop.set()
    for thread in threads:
        thread.join()
    print(f"  attacker checks done {counts['checked']}, told busy {counts['busy']}")


def main() -> int:
    """Build the samples in a temporary folder and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per sample")
    parser.add_argument("--seconds", type=int, default=8, help="checker time limit")
    parser.add_argument("--good-runs", type=int, default=20, help="runs of good")
    parser.add_argument("--attackers", type=int, default=0, help="attack threads")
    parser.add_argument("--places", type=int, default=2, help="checks at once")
    parser.add_argument("--wait", type=float, default=20, help="seconds to wait")
    args = parser.parse_args()

    print(f"{'sample':<24} {'bytes':>9} {'verdict':<12} {'ms':>8} {'cpu ms':>8}")
    with tempfile.TemporaryDirectory(prefix="pdf-hostile-") as folder:
        for name, build in pdf_samples.SAMPLES.items():
            sample = Path(folder) / name
            sample.mkdir()
            path = build(sample)
            verdict, ms, cpu = timed_check(path, args.seconds, args.repeat)
            size = path.stat().st_size
            print(
                f"{name:<24} {size:>9} {verdict:<12} {ms:>8.0f} {cpu:>8.0f}",
                flush=True,
            )

        good = pdf_samples.good(Path(folder))
        _, ms, _cpu = timed_check(good, args.seconds, args.good_runs)
        print(f"\ngood one-page PDF, median of {args.good_runs} runs: {ms:.0f} ms")
        if args.attackers:
            under_attack(Path(folder), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
