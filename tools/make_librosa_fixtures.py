#!/usr/bin/env python3
# Reference feature values from librosa for Tests/SERFeaturesTests.
#
# Pinned: librosa==0.11.0 (numpy 2.x, scipy 1.x, soundfile, soxr). Run by a developer, not by CI:
#     pip install librosa==0.11.0 && python3 tools/make_librosa_fixtures.py
# Reads real clips from $SERLAB_CORPORA (else ./corpora in the repository) and writes
# Tests/SERFeaturesTests/Fixtures/: cases.json (specs, inputs, column names, checks of the decoded
# samples) plus one little-endian float32 file per case (frames x columns, row-major, in serlab's
# column order) and the float32 input samples of the synthetic cases, so the Swift tests run on
# literally the same samples.
#
# Tolerances LibrosaAgreementTests allows per feature (serlab float32 vs librosa float64 on the same
# samples; |d| = |serlab - librosa|, v = |librosa|), and the worst seen with these fixtures:
#   MFCC, log-mel, deltas, chroma, voicing, their functionals: |d| <= 1e-3
#       (worst 6e-4 on MFCC 0 of a loud tone, about 1e-4 elsewhere)
#   RMS and its functionals:            |d| <= 1e-5 v + 1e-15  (worst 1.2e-7 relative; values down to 1e-13)
#   spectral flatness (+ functionals):  |d| <= 1e-3 v + 1e-12  (worst 1.4e-4 relative, on a 2.8e-5 value of
#       the 96 kHz TESS clip; pure-tone values down to 5e-12 within 3e-14)
#   ZCR (+ functionals):                |d| <= 1e-6 v + 1e-9   (exact: one crossing more or less is
#       1/frame length, 4.9e-4 at 2048, and fails)
#   centroid, bandwidth, roll-off, f0 (Hz): |d| <= 1e-3 + 1e-5 v  (float32 resolution of kHz values)
#   centroid, bandwidth of the pure-tone cases: |d| <= 1e-3 max(1, v)  (float32 FFT rounding floor
#       weighted by (f - centroid)^2; see Sources/SERFeatures/README.md)
# 1e-3 absolute used to cover RMS, flatness and ZCR too, which left them unchecked: their values are
# mostly below 1e-3.
import json
import os
import sys
from pathlib import Path

import librosa
import numpy as np

assert librosa.__version__ == "0.11.0", f"pinned librosa 0.11.0, found {librosa.__version__}"

ROOT = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SERLAB_CORPORA") or ROOT / "corpora")
OUT = ROOT / "Tests" / "SERFeaturesTests" / "Fixtures"

# serlab's defaults (FeatureSpec), i.e. librosa's.
DEFAULTS = dict(sampleRate=22050, fftLength=2048, hopLength=512, melBandCount=128, mfccCount=20,
                melScale="slaney", melNormalization="slaney", minFrequency=0.0, maxFrequency=None,
                topDecibels=80.0, deltaWidth=9, rolloffPercent=0.85, chromaCount=12, chromaTuning=0.0,
                pitchMinFrequency=65.40639132514966, pitchMaxFrequency=2093.004522404789, troughThreshold=0.1,
                functionals=["mean", "std", "min", "max"], percentiles=[])
ALL = ["mfcc", "deltaMFCC", "deltaDeltaMFCC", "logMel", "rms", "zeroCrossingRate", "spectralCentroid",
       "spectralBandwidth", "spectralRolloff", "spectralFlatness", "chroma", "f0"]


def delta(data, width, order):
    """librosa.feature.delta along frames; for fewer frames than `width`, serlab's rule: the largest odd
    width that fits (>= 3), zeros below 3 frames (librosa itself raises there)."""
    frames = data.shape[1]
    w = min(width, frames if frames % 2 == 1 else frames - 1)
    if w < 3 or w <= order:
        return np.zeros_like(data)
    return librosa.feature.delta(data, width=w, order=order)


def yin_with_voicing(y, sr, s):
    fl, hop, fmin, fmax, thr = s["fftLength"], s["hopLength"], s["pitchMinFrequency"], s["pitchMaxFrequency"], s["troughThreshold"]
    f0 = librosa.yin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=fl, hop_length=hop, trough_threshold=thr)
    # Voicing: the same steps as librosa.yin, keeping whether a trough fell below the threshold.
    frames = librosa.util.frame(np.pad(y, fl // 2, mode="constant"), frame_length=fl, hop_length=hop)
    min_period = int(np.floor(sr / fmax))
    max_period = min(int(np.ceil(sr / fmin)), fl - 1)
    yf = librosa.core.pitch._cumulative_mean_normalized_difference(frames, min_period, max_period)
    trough = librosa.util.localmin(yf, axis=-2)
    trough[0, :] = yf[0, :] < yf[1, :]
    voiced = np.any(trough & (yf < thr), axis=0)
    return f0, voiced.astype(np.float32)


def frame_features(y, spec):
    """(columns, frames x columns float32) in serlab's column order."""
    s = dict(DEFAULTS, **spec)
    sr, n_fft, hop = s["sampleRate"], s["fftLength"], s["hopLength"]
    common = dict(n_fft=n_fft, hop_length=hop)
    blocks = []
    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_mels=s["melBandCount"], htk=s["melScale"] == "htk",
                                         norm="slaney" if s["melNormalization"] == "slaney" else None,
                                         fmin=s["minFrequency"], fmax=s["maxFrequency"], **common)
    log_mel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=s["topDecibels"])
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=s["mfccCount"])
    n = s["mfccCount"]
    for feature in spec["features"]:
        if feature == "mfcc":
            blocks.append(([f"mfcc_{i}" for i in range(n)], mfcc))
        elif feature == "deltaMFCC":
            blocks.append(([f"delta_mfcc_{i}" for i in range(n)], delta(mfcc, s["deltaWidth"], 1)))
        elif feature == "deltaDeltaMFCC":
            blocks.append(([f"delta2_mfcc_{i}" for i in range(n)], delta(mfcc, s["deltaWidth"], 2)))
        elif feature == "logMel":
            blocks.append(([f"log_mel_{i}" for i in range(s["melBandCount"])], log_mel))
        elif feature == "rms":
            blocks.append((["rms"], librosa.feature.rms(y=y, frame_length=n_fft, hop_length=hop)))
        elif feature == "zeroCrossingRate":
            blocks.append((["zcr"], librosa.feature.zero_crossing_rate(y, frame_length=n_fft, hop_length=hop)))
        elif feature == "spectralCentroid":
            blocks.append((["spectral_centroid"], librosa.feature.spectral_centroid(y=y, sr=sr, **common)))
        elif feature == "spectralBandwidth":
            blocks.append((["spectral_bandwidth"], librosa.feature.spectral_bandwidth(y=y, sr=sr, **common)))
        elif feature == "spectralRolloff":
            blocks.append((["spectral_rolloff"], librosa.feature.spectral_rolloff(y=y, sr=sr, roll_percent=s["rolloffPercent"], **common)))
        elif feature == "spectralFlatness":
            blocks.append((["spectral_flatness"], librosa.feature.spectral_flatness(y=y, **common)))
        elif feature == "chroma":
            blocks.append(([f"chroma_{i}" for i in range(s["chromaCount"])],
                           librosa.feature.chroma_stft(y=y, sr=sr, tuning=s["chromaTuning"], n_chroma=s["chromaCount"], **common)))
        elif feature == "f0":
            f0, voiced = yin_with_voicing(y, sr, s)
            blocks.append((["f0", "voiced"], np.stack([f0, voiced])))
        else:
            raise ValueError(feature)
    names = [name for block_names, _ in blocks for name in block_names]
    matrix = np.concatenate([np.asarray(values, dtype=np.float64).reshape(len(block_names), -1) for block_names, values in blocks]).T
    return names, matrix


def utterance(names, matrix, spec):
    s = dict(DEFAULTS, **spec)
    out_names, row = [], []
    for c, name in enumerate(names):
        column = matrix[:, c]
        for f in s["functionals"]:
            out_names.append(f"{name}_{f}")
            row.append({"mean": np.mean, "std": np.std, "min": np.min, "max": np.max}[f](column))
        for p in s["percentiles"]:
            out_names.append(f"{name}_p{int(p) if p == int(p) else p}")
            row.append(np.percentile(column, p))
    return out_names, np.array([row])


def sample_check(y):
    idx = np.linspace(0, len(y) - 1, 64).astype(int)
    return dict(count=int(len(y)), sum=float(np.sum(y, dtype=np.float64)), sumOfSquares=float(np.sum(np.square(y, dtype=np.float64))),
                indices=idx.tolist(), values=[float(v) for v in y[idx]])


def write_f32(name, array):
    np.asarray(array, dtype="<f4").tofile(OUT / name)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.f32"):
        old.unlink()
    cases = []

    def add(name, y, spec, input_description):
        names, matrix = frame_features(y, spec)
        if spec.get("level") == "utterance":
            names, matrix = utterance(names, matrix, spec)
        write_f32(f"{name}.f32", matrix)
        cases.append(dict(name=name, spec=spec, input=input_description, frameCount=int(matrix.shape[0]),
                          columns=names, values=f"{name}.f32"))
        print(f"{name}: {matrix.shape[0]} frames x {matrix.shape[1]} columns", file=sys.stderr)

    # Synthetic: a 220 Hz tone with two harmonics, 0.5 s at 22050 Hz, computed in float64, stored as float32.
    sr = 22050
    t = np.arange(sr // 2) / sr
    tone = (0.5 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 660 * t)).astype(np.float32)
    write_f32("tone.samples.f32", tone)
    short = tone[:1000].copy()
    write_f32("short.samples.f32", short)
    silence = np.zeros(sr // 2, dtype=np.float32)
    everything = dict(features=ALL)
    add("tone", tone, everything, dict(kind="samples", file="tone.samples.f32"))
    add("short", short, everything, dict(kind="samples", file="short.samples.f32"))
    add("silence", silence, everything, dict(kind="zeros", count=len(silence)))
    add("tone_htk", tone, dict(features=["mfcc", "logMel"], melScale="htk", melNormalization="none", mfccCount=13, melBandCount=40,
                               minFrequency=50.0, maxFrequency=8000.0),
        dict(kind="samples", file="tone.samples.f32"))
    add("tone_utterance", tone, dict(features=["mfcc", "rms", "f0"], level="utterance", percentiles=[10, 50, 90]),
        dict(kind="samples", file="tone.samples.f32"))

    # Real clips: decoded and resampled by librosa.load (soundfile + soxr_hq), features at 16 kHz.
    real_spec = dict(sampleRate=16000, fftLength=512, hopLength=160, melBandCount=64, mfccCount=40,
                     features=["mfcc", "rms", "zeroCrossingRate", "spectralCentroid", "spectralBandwidth",
                               "spectralRolloff", "spectralFlatness", "chroma", "f0"])
    clips = {
        "tess_aiff": "tess/TESS Toronto emotional speech set data/YAF_angry/YAF_germ_angry.wav",
        "ravdess_stereo": "ravdess/Actor_01/03-01-02-01-01-02-01.flac",
        "tess_96k": "tess/TESS Toronto emotional speech set data/OAF_Fear/OAF_food_fear.flac",
    }
    for name, relative in clips.items():
        path = CORPORA / relative
        native, native_rate = librosa.load(path, sr=None)
        y, _ = librosa.load(path, sr=16000)
        add(name, y, real_spec, dict(kind="file", path=relative, nativeRate=int(native_rate),
                                     native=sample_check(native), resampled=sample_check(y)))
    # The AIFF clip at its native rate with librosa's default spec: decoding only, identical samples.
    native, native_rate = librosa.load(CORPORA / clips["tess_aiff"], sr=None)
    add("tess_aiff_native", native, dict(sampleRate=int(native_rate), features=["mfcc", "deltaMFCC"]),
        dict(kind="file", path=clips["tess_aiff"], nativeRate=int(native_rate), native=sample_check(native)))

    with open(OUT / "cases.json", "w") as f:
        json.dump(dict(librosa=librosa.__version__, numpy=np.__version__, cases=cases), f, indent=1)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(cases)} cases to {OUT} ({total / 1024:.0f} KB)", file=sys.stderr)


if __name__ == "__main__":
    main()
