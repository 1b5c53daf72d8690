#!/usr/bin/env python3
# Small synthetic FLAC files for SERAudioTests (FLACDecoderTests): stream shapes the corpora do not
# hold, so the Swift FLAC decoder's paths (mid/side and left/side stereo, 8- and 24-bit samples,
# wasted bits, a one-frame file) are checked against libFLAC. Run by hand, not by CI:
#     python3 tools/make_flac_fixtures.py
# Encoded by libsndfile's FLAC writer (soundfile), libFLAC's default settings. Deterministic input.
from pathlib import Path

import numpy as np
import soundfile as sf

OUT = Path(__file__).resolve().parent.parent / "Tests" / "SERAudioTests" / "Fixtures"
rng = np.random.default_rng(7)


def voice(n, rate, pitch):
    """A vowel-like harmonic tone with a slow envelope and a little noise, in [-0.8, 0.8]."""
    t = np.arange(n) / rate
    envelope = 0.5 - 0.5 * np.cos(2 * np.pi * t / t[-1])
    tone = sum(np.sin(2 * np.pi * pitch * h * t) / h for h in range(1, 8))
    return 0.8 * envelope * tone / 2.6 + 0.01 * rng.standard_normal(n)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    n = 12_000
    left, right = voice(n, 48_000, 180), voice(n, 48_000, 181)
    sf.write(OUT / "stereo16.flac", np.stack([left, 0.7 * left + 0.3 * right], axis=1), 48_000, subtype="PCM_16")
    sf.write(OUT / "stereo24.flac", np.stack([left, right], axis=1), 48_000, subtype="PCM_24")
    sf.write(OUT / "mono8.flac", voice(n, 16_000, 120), 16_000, subtype="PCM_S8")
    # Every sample a multiple of 8: each subframe has 3 wasted bits.
    coarse = np.round(voice(n, 22_050, 150) * 4096) * 8 / 32768
    sf.write(OUT / "wasted16.flac", coarse, 22_050, subtype="PCM_16")
    sf.write(OUT / "short16.flac", voice(100, 16_000, 200), 16_000, subtype="PCM_16")
    for path in sorted(OUT.glob("*.flac")):
        print(path.name, path.stat().st_size, "bytes", sf.info(path).subtype, sf.info(path).channels, "channels")


if __name__ == "__main__":
    main()
