"""Benchmark of the photo pipeline on a realistic 12 megapixel phone photo.

Generates a 4000x3000 JPEG (quality 90) with photo-like content (gradients, soft shapes,
mild sensor noise), EXIF orientation 6 (held upright, as phones store it) and GPS tags,
then runs the whole pipeline (checks, decoding, turning upright, resizing, WebP encoding,
writing to storage) and prints the median time, the peak memory measured in a fresh
subprocess, and the sizes. Targets: < 1.5 s, < 400 MB, 800 px WebP < 120 KB.

    python -m bench images            # or: python -m bench.bench_images [--runs=N]
"""
from __future__ import annotations

import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from PIL import ExifTags, ImageChops, ImageDraw, ImageFilter
from PIL import Image as PILImage

from marketplace.services.images import process_image_bytes, store_image
from marketplace.services.storage import LocalStorage

WIDTHS = (320, 800, 1600)
MAX_PIXELS = 40_000_000
TARGET_SECONDS = 1.5
TARGET_MEMORY_MB = 400
TARGET_800_BYTES = 120_000


def phone_photo(width: int = 4000, height: int = 3000, *, orientation: int = 6, seed: int = 7) -> bytes:
    """A JPEG that looks to an encoder like a phone photo of produce on a market table."""
    import random

    rng = random.Random(seed)
    gradient = PILImage.linear_gradient("L").resize((width, height))
    across = PILImage.linear_gradient("L").rotate(90).resize((width, height))
    picture = PILImage.merge("RGB", (gradient, across, ImageChops.invert(gradient)))
    draw = ImageDraw.Draw(picture)
    for _ in range(60):
        x, y = rng.randrange(width), rng.randrange(height)
        w, h = rng.randrange(width // 30, width // 5), rng.randrange(height // 30, height // 5)
        colour = tuple(rng.randrange(40, 240) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            draw.rounded_rectangle((x, y, x + w, y + h), radius=min(w, h) // 6, fill=colour)
    for _ in range(40):  # thin details (stems, basket weave) that a photo has
        x, y = rng.randrange(width), rng.randrange(height)
        draw.line((x, y, x + rng.randrange(-300, 300), y + rng.randrange(-300, 300)),
                  fill=tuple(rng.randrange(0, 255) for _ in range(3)), width=rng.randrange(2, 9))
    for _ in range(4000):  # small texture: grains, seeds, weave
        x, y, r = rng.randrange(width), rng.randrange(height), rng.randrange(2, 14)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rng.randrange(0, 255) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(1.2))
    # Sensor noise: a few levels of grain on every channel, as a cheap phone camera gives.
    noise = PILImage.merge("RGB", [PILImage.effect_noise((width, height), 6) for _ in range(3)])
    picture = ImageChops.add(picture, noise, scale=1.0, offset=-128)

    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Samsung"
    exif[ExifTags.Base.Model] = "Galaxy A15"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (8.0, 5.0, 55.2)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (112.0, 10.0, 4.1)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=exif, subsampling="4:2:0")
    return out.getvalue()


class _NoDatabase:
    """Stands in for the session: the benchmark measures pictures and files, not SQL."""

    def add(self, row) -> None:
        pass

    def flush(self) -> None:
        pass


def run_pipeline(data: bytes, storage_root: str) -> dict[int, int]:
    """The whole pipeline once; returns the rendition sizes in bytes by width."""
    processed = process_image_bytes(data, max_pixels=MAX_PIXELS, widths=WIDTHS)
    store_image(_NoDatabase(), LocalStorage(storage_root), processed)  # type: ignore[arg-type]
    return {width: len(blob) for width, blob in processed.renditions.items()}


def _child(path: str) -> None:
    """Run once in a fresh process and print peak memory figures as JSON."""
    data = Path(path).read_bytes()
    with tempfile.TemporaryDirectory() as root:
        run_pipeline(_tiny_warmup(), root)  # load codecs and modules first
        before = _reset_peak_rss_kb()
        tracemalloc.start()
        started = time.perf_counter()
        run_pipeline(data, root)
        seconds = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        after = _peak_rss_kb()
    print(json.dumps({"rss_delta_kb": after - before, "rss_peak_kb": after, "tracemalloc_peak": traced_peak,
                      "seconds": seconds}))


def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss_kb() -> int:
    """Reset the peak RSS to the current RSS (Linux) and return it in KB.

    ru_maxrss survives fork+exec (the parent's peak would show), so on Linux the
    per-process high-water mark VmHWM is used and reset through /proc/self/clear_refs.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss_kb() -> int:
    return _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def largest_accepted_png() -> bytes:
    """The heaviest picture the limits let through: 40 megapixels of RGBA in a small PNG."""
    gradient = PILImage.linear_gradient("L").resize((7300, 5470))
    alpha = PILImage.new("L", gradient.size, 200)
    picture = PILImage.merge("RGBA", (gradient, ImageChops.invert(gradient), gradient, alpha))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _tiny_warmup() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (400, 300), (1, 2, 3)).save(out, "JPEG")
    return out.getvalue()


def measure_memory(data: bytes) -> dict:
    """Peak memory of one pipeline run, measured in a fresh subprocess."""
    with tempfile.NamedTemporaryFile(suffix=".jpg", delete=False) as handle:
        handle.write(data)
    try:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        result = subprocess.run([sys.executable, "-m", "bench.bench_images", "--child", handle.name],
                                capture_output=True, text=True, check=True, env=env)
        return json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(handle.name)


def time_pipeline(data: bytes, runs: int) -> list[float]:
    """Seconds per run of the whole pipeline."""
    seconds = []
    with tempfile.TemporaryDirectory() as root:
        for _ in range(runs):
            for stale in Path(root).rglob("*.webp"):  # every run writes its files anew
                stale.unlink()
            started = time.perf_counter()
            run_pipeline(data, root)
            seconds.append(time.perf_counter() - started)
    return seconds


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def main(argv: list[str]) -> None:
    """Print the figures; `--runs=N` sets the number of timed runs (default 5)."""
    if argv[:1] == ["--child"]:
        _child(argv[1])
        return
    runs = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--runs=")), 5)

    data = phone_photo(orientation=6)
    upright = phone_photo(orientation=1)
    with tempfile.TemporaryDirectory() as root:
        sizes = run_pipeline(data, root)
    seconds = time_pipeline(data, runs)
    upright_seconds = time_pipeline(upright, runs)
    memory = measure_memory(data)
    worst = largest_accepted_png()
    worst_memory = measure_memory(worst)

    median = statistics.median(seconds)
    rss_mb = memory["rss_delta_kb"] / 1024
    ratio = sizes[800] / len(data)
    print(f"photo: 4000x3000 JPEG q90, EXIF orientation 6 + GPS, {len(data):,} bytes ({len(data) / 1e6:.2f} MB)")
    print("renditions (bytes): " + ", ".join(f"{w} px {n:,}" for w, n in sorted(sizes.items())))
    print(f"time, median of {runs}: {median:.3f} s (min {min(seconds):.3f}, max {max(seconds):.3f})"
          f"  [target < {TARGET_SECONDS} s: {_verdict(median < TARGET_SECONDS)}]")
    print(f"time, same photo stored upright (orientation 1), median: {statistics.median(upright_seconds):.3f} s")
    print(f"peak memory: peak RSS delta {rss_mb:.0f} MB (process peak {memory['rss_peak_kb'] / 1024:.0f} MB), "
          f"tracemalloc peak {memory['tracemalloc_peak'] / 1e6:.1f} MB (Python objects only)"
          f"  [target < {TARGET_MEMORY_MB} MB: {_verdict(rss_mb < TARGET_MEMORY_MB)}]")
    print(f"800 px WebP: {sizes[800]:,} bytes = {ratio:.2%} of the original ({len(data) / sizes[800]:.0f}x smaller)"
          f"  [target < {TARGET_800_BYTES // 1000} KB: {_verdict(sizes[800] < TARGET_800_BYTES)}]")
    print(f"worst accepted input (40 MP RGBA PNG, {len(worst):,} bytes; no draft decoding for PNG): "
          f"{worst_memory['seconds']:.2f} s, peak RSS delta {worst_memory['rss_delta_kb'] / 1024:.0f} MB (informative)")


if __name__ == "__main__":
    main(sys.argv[1:])
