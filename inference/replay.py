"""Screen-replay cues: is the phone filming a screen instead of the vehicle?

Three cues, each in [0, 1]:

* moiré: the screen's pixel grid beating against the camera's sensor grid leaves isolated, strong peaks
  in the high frequencies of the spectrum, where a natural scene falls off smoothly. Measured on a
  full-resolution centre crop (downscaling would average the grid away); the JPEG 8x8 block grid and the
  spectrum's axes (edge leakage) are left out because every camera frame has them.
* banding: a display's refresh beating against the rolling shutter gives horizontal brightness bands that
  run across the whole width: a periodic row profile that is the same in the left and right halves.
* bezel: a dark, flat border along most of the frame's edges around a bright, textured inside.

One frame proves nothing (a grille has periodic slats); the session averages the score over frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .types import Frame

CROP = 256
# Log-magnitude above the local spectral background that counts as a peak (e^2.3 = 10x).
PEAK_LOG = 1.5
# Share of high-band bins that are peaks: natural frames stay below 0.001, filmed screens reach 0.004+.
PEAK_SHARE_NATURAL = 0.001
PEAK_SHARE_FULL = 0.004
BAND_PERIODS = (4, 40)  # rows per band; wider bands are hard to tell from shading
BAND_MIN_AMPLITUDE = 0.02  # of the mean brightness
SUSPECT_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class ReplayCue:
    moire: float
    banding: float
    bezel: float
    score: float

    @property
    def suspect(self) -> bool:
        return self.score >= SUSPECT_SCORE


def _grey(frame: Frame | np.ndarray) -> np.ndarray:
    image = frame.image if isinstance(frame, Frame) else frame
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _high_band_mask(n: int) -> np.ndarray:
    f = np.fft.fftfreq(n)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    radius = np.hypot(fx, fy)
    k = np.fft.fftfreq(n) * n  # integer bin indices
    ky, kx = np.meshgrid(k, k, indexing="ij")
    jpeg = (np.abs((ky % (n / 8)) - 0) <= 1) | (np.abs((ky % (n / 8)) - n / 8) <= 1) | \
        (np.abs((kx % (n / 8)) - 0) <= 1) | (np.abs((kx % (n / 8)) - n / 8) <= 1)
    axes = (np.abs(ky) <= 2) | (np.abs(kx) <= 2)
    return (radius >= 0.12) & (radius <= 0.48) & ~jpeg & ~axes


_MASK = _high_band_mask(CROP)
_WINDOW = np.outer(np.hanning(CROP), np.hanning(CROP)).astype(np.float32)


def moire_cue(grey: np.ndarray) -> float:
    h, w = grey.shape
    if h < CROP or w < CROP:
        return 0.0
    y0, x0 = (h - CROP) // 2, (w - CROP) // 2
    patch = grey[y0 : y0 + CROP, x0 : x0 + CROP].astype(np.float32)
    patch = (patch - patch.mean()) * _WINDOW
    spectrum = np.log1p(np.abs(np.fft.fft2(patch))).astype(np.float32)
    background = cv2.GaussianBlur(spectrum, (0, 0), 3.0, borderType=cv2.BORDER_REFLECT)
    peaks = (spectrum - background) > PEAK_LOG
    share = float(peaks[_MASK].mean())
    return float(np.clip((share - PEAK_SHARE_NATURAL) / (PEAK_SHARE_FULL - PEAK_SHARE_NATURAL), 0.0, 1.0))


def _band_peak(profile: np.ndarray) -> tuple[float, int]:
    """Peak-to-median ratio of the detrended row profile's spectrum within the band periods, and its bin;
    (0, 0) when the modulation is too weak to be flicker (noise in a dark frame)."""
    n = len(profile)
    trend = cv2.blur(profile.reshape(-1, 1), (1, 81)).ravel()
    window = np.hanning(n)
    mag = np.abs(np.fft.rfft((profile - trend) * window))
    lo, hi = max(2, n // BAND_PERIODS[1]), min(len(mag) - 1, n // BAND_PERIODS[0])
    if hi <= lo + 4:
        return 0.0, 0
    band = mag[lo:hi].copy()
    median = float(np.median(band)) + 1e-6
    # JPEG blocks make every 8th row differ: periods 8, 4 and 8/3 rows are no evidence.
    bins = np.arange(lo, hi)
    for period in (8.0, 4.0, 8.0 / 3.0):
        band[np.abs(bins - n / period) <= 1.5] = 0.0
    k = int(np.argmax(band))
    # A sharp edge (bumper, shadow) gives a falling 1/f spectrum, not an isolated line: ask for a peak that
    # stands out of its neighbours on both sides.
    idx = lo + k
    shoulders = max(float(mag[max(0, idx - 3)]), float(mag[min(len(mag) - 1, idx + 3)]))
    if band[k] < 2.5 * shoulders:
        return 0.0, 0
    amplitude = 2.0 * float(band[k]) / float(window.sum())
    if amplitude < BAND_MIN_AMPLITUDE * max(float(profile.mean()), 1.0):
        return 0.0, 0
    return float(band[k] / median), lo + k


def banding_cue(grey: np.ndarray) -> float:
    h, w = grey.shape
    if h < 128 or w < 128:
        return 0.0
    g = grey.astype(np.float32)
    hh, hw = (h // 2) & ~1, w // 2
    # Flicker bands cross the whole frame: every quadrant shows the same row frequency. A grille or a
    # bumper edge is periodic in one part of the frame only.
    peaks = [_band_peak(g[y : y + hh, x : x + hw].mean(axis=1)) for y in (0, hh) for x in (0, hw)]
    bins = [b for _, b in peaks]
    if max(bins) - min(bins) > 1:
        return 0.0
    return float(np.clip((min(r for r, _ in peaks) - 8.0) / 12.0, 0.0, 1.0))


def bezel_cue(grey: np.ndarray) -> float:
    h, w = grey.shape
    if h < 32 or w < 32:
        return 0.0
    b = max(2, min(h, w) // 25)
    strips = (grey[:b], grey[-b:], grey[:, :b], grey[:, -b:])
    dark_flat = sum(1 for s in strips if float(s.mean()) < 40 and float(s.std()) < 12)
    inside = grey[b:-b, b:-b]
    contrast_ok = float(inside.mean()) - max(float(s.mean()) for s in strips) > 40
    return float(np.clip((dark_flat - 1) / 3.0, 0.0, 1.0)) if contrast_ok else 0.0


def screen_replay_cues(frame: Frame | np.ndarray) -> ReplayCue:
    """Cues of one full-resolution frame."""
    grey = _grey(frame)
    moire, banding, bezel = moire_cue(grey), banding_cue(grey), bezel_cue(grey)
    score = 1.0 - (1.0 - moire) * (1.0 - 0.7 * banding) * (1.0 - 0.5 * bezel)
    return ReplayCue(round(moire, 4), round(banding, 4), round(bezel, 4), round(score, 4))
