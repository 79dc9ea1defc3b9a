"""Running ultralytics offline on this machine kind.

`import ultralytics` probes the network and writes settings under the home folder; training fetches
Arial.ttf; and it trains on ``cpu_count - 1`` threads. This module sets all of that up before the import.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VAR = REPO / "var"
_FONT_SOURCES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


def prepare(threads: int | None = None) -> None:
    config_dir = VAR / "ultralytics"
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "0")
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config_dir))
    os.environ.setdefault("MPLCONFIGDIR", str(VAR / "matplotlib"))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    font_dir = Path(os.environ["YOLO_CONFIG_DIR"]) / "Ultralytics"
    font_dir.mkdir(parents=True, exist_ok=True)
    # Any TTF under this name stops ultralytics from downloading Arial for its plots.
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        target = font_dir / name
        if not target.exists():
            src = next((s for s in _FONT_SOURCES if Path(s).is_file()), None)
            if src is not None:
                shutil.copyfile(src, target)
    import torch
    import ultralytics.utils.torch_utils as tu

    n = threads or os.cpu_count() or 1
    tu.NUM_THREADS = n  # ultralytics would leave one core idle
    torch.set_num_threads(n)
