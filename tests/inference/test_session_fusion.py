"""Multi-frame fusion, checklist progress and evidence selection of the session state machine."""

from __future__ import annotations

import numpy as np
import pytest

from inference.quality import FrameQuality, GuidanceCode
from inference.replay import ReplayCue
from inference.session import (
    ChecklistItem,
    InspectionSession,
    Observation,
    checklist_for,
    fuse,
)
from inference.types import CharRead, PlateRead, TextRead, VehicleRead, VinRead
from inference.validate.vin import check_digit

PLATE = "皖A12345"
VIN = "LSVAM4187C2184855"
VIN = VIN[:8] + check_digit(VIN) + VIN[9:]


def _read(text: str, conf: float = 0.95, wrong: dict[int, str] | None = None, char_conf: float | None = None,
          alt: bool = True) -> TextRead:
    wrong = wrong or {}
    chars = []
    for i, c in enumerate(text):
        if i in wrong:
            chars.append(CharRead(wrong[i], char_conf or 0.55, ((c, 0.4),) if alt else ()))
        else:
            chars.append(CharRead(c, conf, ()))
    return TextRead("".join(ch.char for ch in chars), min(ch.confidence for ch in chars), tuple(chars))


def _obs(text: str, seq: int, quality: float = 0.9, **kw) -> Observation:
    r = _read(text, **kw)
    return Observation("plate", r.text, r.confidence, quality, seq, r.chars)


def _frame(plate: TextRead | None = None, vin: TextRead | None = None) -> VehicleRead:
    plates = (PlateRead(plate.text, plate.confidence, (100, 100, 400, 180), read=plate),) if plate else ()
    vins = (VinRead(vin.text, vin.confidence, (50, 50, 900, 120), True, True, read=vin),) if vin else ()
    return VehicleRead(plates, vins, (1280, 720))


def _quality(score: float = 0.9, issues: tuple = ()) -> FrameQuality:
    return FrameQuality(100.0, 0.5, 0.0, 0.0, 0.0, 50.0, 0.0, score, issues, np.zeros((36, 64), np.uint8))


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        # settled by two good reads; one confident wrong read (bad frame) does not flip it
        ([_obs(PLATE, 1), _obs(PLATE, 2), _obs("皖A12845", 3, conf=0.99)], PLATE),
        ([_obs(PLATE, 1), _obs(PLATE, 2), _obs("皖A1234", 3, conf=0.99)], PLATE),  # wrong length
        ([_obs(PLATE, 1), _obs(PLATE, 2), _obs("苏B99999", 3, conf=0.99, quality=1.0)], PLATE),
        # a low-quality frame barely votes even when it comes first
        ([_obs("皖A18345", 1, quality=0.1), _obs(PLATE, 2), _obs(PLATE, 3)], PLATE),
        # per-character voting: every frame has one different error, the vote recovers the plate
        ([_obs(PLATE, 1, wrong={2: "7"}), _obs(PLATE, 2, wrong={4: "B"}), _obs(PLATE, 3, wrong={6: "6"})], PLATE),
    ],
)
def test_fusion_is_not_flipped_by_one_bad_frame(frames, expected):
    answer = None
    for i in range(1, len(frames) + 1):
        fused = fuse("plate", frames[:i], answer)
        answer = fused.text
    assert answer == expected


def test_one_bad_frame_after_settling_never_flips_any_position():
    good = [_obs(PLATE, i) for i in range(2)]
    settled = fuse("plate", good).text
    for pos in range(1, 7):
        bad = _obs(PLATE, 9, wrong={pos: "9" if PLATE[pos] != "9" else "8"}, char_conf=0.999, alt=False)
        assert fuse("plate", [*good, bad], settled).text == PLATE


def test_fused_vin_is_corrected_by_the_check_digit():
    # every read confuses position 5 with a close alternative; the check digit picks the right one
    wrong = {4: "B" if VIN[4] != "B" else "8"}
    obs = [Observation("vin", r.text, r.confidence, 0.9, i, r.chars)
           for i, r in enumerate(_read(VIN, wrong=wrong) for _ in range(3))]
    fused = fuse("vin", obs)
    assert fused.text == VIN and fused.valid and fused.corrected == (4,)


def test_reaches_the_right_answer_within_ten_noisy_frames():
    rng = np.random.default_rng(7)
    alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    for trial in range(20):
        obs, answer, reached = [], None, None
        for k in range(10):
            wrong = {i: str(rng.choice(list(alphabet))) for i in range(1, 7) if rng.random() < 0.15}
            wrong = {i: c for i, c in wrong.items() if c != PLATE[i]}
            obs.append(_obs(PLATE, k, quality=float(rng.uniform(0.5, 1.0)), wrong=wrong,
                            char_conf=float(rng.uniform(0.4, 0.9)), alt=bool(rng.random() < 0.5)))
            answer = fuse("plate", obs, answer).text
            if answer == PLATE and reached is None:
                reached = k + 1
        assert answer == PLATE, f"trial {trial}: {answer}"
        assert reached is not None and reached <= 10


def test_checklist_progress_evidence_and_guidance():
    s = InspectionSession(checklist_for("transfer"))
    assert s.active_item is ChecklistItem.front_with_plate
    g = s.observe_frame(_quality())
    assert g.code is GuidanceCode.show_item and "front" in g.message
    u1 = s.observe_read(_frame(_read(PLATE)), 0.6, 1)
    assert u1.assigned is ChecklistItem.front_with_plate and u1.evidence[0].frame_seq == 1
    u2 = s.observe_read(_frame(_read(PLATE)), 0.9, 2)  # better quality: replaces the evidence
    assert u2.evidence and u2.evidence[0].frame_seq == 2
    assert u2.completed == (ChecklistItem.front_with_plate,)
    assert s.observe_frame(_quality()).code is GuidanceCode.item_done
    u3 = s.observe_read(_frame(_read(PLATE)), 0.91, 3)  # not better by the margin: evidence kept
    assert u3.assigned is ChecklistItem.rear_with_plate
    s.observe_read(_frame(_read(PLATE)), 0.8, 4)
    assert s.items[ChecklistItem.rear_with_plate].complete
    assert s.active_item is ChecklistItem.vin_stamp
    # A disagreeing read never becomes evidence
    u = s.observe_read(_frame(vin=_read(VIN, wrong={12: "9"}, char_conf=0.3)), 0.99, 5)
    s.observe_read(_frame(vin=_read(VIN)), 0.7, 6)
    s.observe_read(_frame(vin=_read(VIN)), 0.7, 7)
    assert s.fused["vin"].text == VIN
    ev = s.items[ChecklistItem.vin_stamp].evidence
    assert ev is not None and ev.text == VIN and ev.frame_seq != 5 and u.evidence == ()
    assert s.complete and s.active_item is None
    assert s.observe_frame(_quality()).code is GuidanceCode.all_done


def test_quality_guidance_comes_before_framing():
    s = InspectionSession(checklist_for("change"))
    from inference.quality import QualityIssue

    assert s.observe_frame(_quality(0.1, (QualityIssue.too_dark,))).code is GuidanceCode.too_dark
    assert s.observe_frame(_quality(0.3, (QualityIssue.blurry,))).code is GuidanceCode.hold_still
    s.observe_read(VehicleRead((PlateRead(PLATE, 0.9, (600, 300, 650, 320), read=_read(PLATE)),), (), (1280, 720)),
                   0.9, 1)
    assert s.observe_frame(_quality()).code is GuidanceCode.move_closer


def test_focus_and_unknown_items():
    s = InspectionSession(checklist_for("registration"))
    s.set_focus("nameplate")
    assert s.active_item is ChecklistItem.nameplate
    with pytest.raises(ValueError, match="not on this session's checklist"):
        InspectionSession(checklist_for("change")).set_focus("nameplate")
    with pytest.raises(ValueError, match="unknown business type"):
        checklist_for("scrap")
    assert checklist_for("x", ["vin_stamp"]) == (ChecklistItem.vin_stamp,)


def test_state_round_trips_through_json():
    import json

    s = InspectionSession(checklist_for("transfer"))
    for k in range(3):
        s.observe_read(_frame(_read(PLATE)), 0.8, k)
    for _ in range(10):
        s.observe_replay(ReplayCue(0.9, 0.0, 0.0, 0.9))
    back = InspectionSession.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back.fused["plate"].text == PLATE
    assert back.items[ChecklistItem.front_with_plate].complete
    assert back.active_item is s.active_item is ChecklistItem.rear_with_plate
    assert back.replay_suspected and back.frames_read == 3
