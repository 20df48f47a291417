"""Hostile-PDF timings: build every sample upload and time the checker on it.

Usage: ``.venv/bin/python bench/pdf_hostile.py [--repeat N] [--seconds S]``

Prints one row per sample: its size, the verdict and the wall-clock time of
:func:`pamong.documents.pdfcheck.check_pdf` (the median of ``--repeat`` runs),
then the median time of the good one-page PDF over more runs.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pamong.documents.pdfcheck import check_pdf
from tests import pdf_samples


def timed_check(path: Path, seconds: int, repeat: int) -> tuple[str, float]:
    """Check ``path`` ``repeat`` times; return the verdict and median ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        check = check_pdf(path, seconds=seconds)
        times.append((time.perf_counter() - started) * 1000)
    verdict = "ok" if check.ok else check.reason
    return verdict, statistics.median(times)


def main() -> int:
    """Build the samples in a temporary folder and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per sample")
    parser.add_argument("--seconds", type=int, default=8, help="checker time limit")
    parser.add_argument("--good-runs", type=int, default=20, help="runs of good")
    args = parser.parse_args()

    print(f"{'sample':<20} {'bytes':>9} {'verdict':<12} {'ms':>8}")
    with tempfile.TemporaryDirectory(prefix="pdf-hostile-") as folder:
        for name, build in pdf_samples.SAMPLES.items():
            sample = Path(folder) / name
            sample.mkdir()
            path = build(sample)
            verdict, ms = timed_check(path, args.seconds, args.repeat)
            size = path.stat().st_size
            print(f"{name:<20} {size:>9} {verdict:<12} {ms:>8.0f}", flush=True)

        good = pdf_samples.good(Path(folder))
        _, ms = timed_check(good, args.seconds, args.good_runs)
        print(f"\ngood one-page PDF, median of {args.good_runs} runs: {ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
