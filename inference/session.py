"""A remote inspection session as a state machine: multi-frame fusion, checklist and evidence selection.

No I/O here. The serving layer feeds it frame qualities and reads; it answers with the fused reading of
each field, the checklist progress, which frame should become an item's evidence, and a guidance message.
Its whole state round-trips through :meth:`InspectionSession.to_dict` / :meth:`from_dict` (plain JSON),
so a restarted service continues where it stopped.

Fusion is character-level voting: each read votes for its characters (and their alternatives) with weight
``char probability x read confidence x frame quality``. The length with most weight wins, each position
takes its best-voted character, and a changed answer must beat the standing one by ``SWITCH_MARGIN`` at
that position, so one bad frame never flips a settled result. A fused VIN or plate that breaks its rules
is corrected from the vote shares with the validators' correction search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .inspection import FieldReading
from .quality import FrameQuality, Guidance, TargetView, guidance_for
from .replay import ReplayCue
from .types import BoxXYXY, CharRead, VehicleRead
from .validate.plate import correct_plate, normalise_plate, validate_plate
from .validate.vin import correct_vin, normalise_vin, validate_vin

MAX_OBSERVATIONS = 40  # per field; older reads drop out of the vote
SWITCH_MARGIN = 1.5  # a challenger needs this many times the standing character's votes
SUPPORT_HALF = 0.6  # total vote weight at which the support factor is 1/2
STABLE_CONFIDENCE = 0.6
STABLE_MIN_READS = 2
ITEM_MIN_READS = 2  # agreeing reads assigned to an item before it counts as captured
EVIDENCE_MIN_GAIN = 0.05  # a new evidence frame must beat the kept one's quality by this much
REPLAY_EMA = 0.2
REPLAY_MIN_FRAMES = 8
REPLAY_SUSPECT = 0.5


class ChecklistItem(StrEnum):
    front_with_plate = "front_with_plate"
    rear_with_plate = "rear_with_plate"
    vin_stamp = "vin_stamp"
    nameplate = "nameplate"


# Which field a read must give for an item, and how guidance names the item.
ITEM_FIELD: Mapping[ChecklistItem, str] = {
    ChecklistItem.front_with_plate: "plate",
    ChecklistItem.rear_with_plate: "plate",
    ChecklistItem.vin_stamp: "vin",
    ChecklistItem.nameplate: "vin",  # the nameplate carries the VIN; its other fields are read when present
}
ITEM_LABEL: Mapping[ChecklistItem, str] = {
    ChecklistItem.front_with_plate: "front of the vehicle with its plate",
    ChecklistItem.rear_with_plate: "rear of the vehicle with its plate",
    ChecklistItem.vin_stamp: "stamped VIN",
    ChecklistItem.nameplate: "nameplate",
}
ITEM_KIND: Mapping[ChecklistItem, str] = {
    ChecklistItem.front_with_plate: "plate",
    ChecklistItem.rear_with_plate: "plate",
    ChecklistItem.vin_stamp: "vin",
    ChecklistItem.nameplate: "nameplate",
}

# Required items per business type (registration office practice: new registration photographs the
# vehicle front and rear, the stamped VIN and the nameplate; a transfer or change needs fewer).
CHECKLISTS: Mapping[str, tuple[ChecklistItem, ...]] = {
    "registration": (ChecklistItem.front_with_plate, ChecklistItem.rear_with_plate, ChecklistItem.vin_stamp,
                     ChecklistItem.nameplate),
    "transfer": (ChecklistItem.front_with_plate, ChecklistItem.rear_with_plate, ChecklistItem.vin_stamp),
    "change": (ChecklistItem.front_with_plate, ChecklistItem.vin_stamp),
    "plate_replacement": (ChecklistItem.front_with_plate, ChecklistItem.rear_with_plate),
}


def checklist_for(business_type: str, items: Iterable[str] | None = None) -> tuple[ChecklistItem, ...]:
    """The explicit ``items`` if given, else the business type's default list."""
    if items:
        out = tuple(dict.fromkeys(ChecklistItem(i) for i in items))
        if not out:
            raise ValueError("the checklist needs at least one item")
        return out
    if business_type not in CHECKLISTS:
        raise ValueError(f"unknown business type {business_type!r}; expected one of {sorted(CHECKLISTS)} "
                         "or an explicit item list")
    return CHECKLISTS[business_type]


# ------------------------------------------------------------------------------------------------ fusion


@dataclass(frozen=True, slots=True)
class Observation:
    """One read of one field in one frame."""

    field: str
    text: str
    confidence: float
    quality: float
    frame_seq: int
    chars: tuple[CharRead, ...] = ()
    box_xyxy: BoxXYXY | None = None

    @property
    def weight(self) -> float:
        return max(0.05, self.confidence) * max(0.05, self.quality)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "text": self.text, "confidence": self.confidence, "quality": self.quality,
                "frame_seq": self.frame_seq, "box_xyxy": list(self.box_xyxy) if self.box_xyxy else None,
                "chars": [[c.char, c.confidence, [list(a) for a in c.alternatives]] for c in self.chars]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Observation:
        chars = tuple(CharRead(c, float(p), tuple((a, float(q)) for a, q in alts)) for c, p, alts in d["chars"])
        box = tuple(d["box_xyxy"]) if d.get("box_xyxy") else None
        return cls(d["field"], d["text"], float(d["confidence"]), float(d["quality"]), int(d["frame_seq"]),
                   chars, box)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class FusedRead:
    """The fused answer for one field. ``chars`` carry the vote shares as confidences and the runner-up
    characters as alternatives; ``corrected`` lists 0-based positions changed by the plate/VIN rules."""

    field: str
    text: str
    confidence: float
    chars: tuple[CharRead, ...]
    reads: int
    agreeing: int
    valid: bool
    corrected: tuple[int, ...] = ()

    @property
    def stable(self) -> bool:
        return self.confidence >= STABLE_CONFIDENCE and self.agreeing >= STABLE_MIN_READS

    def reading(self) -> FieldReading:
        """As input to the record comparison."""
        return FieldReading(self.field, self.text, self.confidence, self.chars, self.corrected, frames=self.reads)


def _normalise(field_name: str, text: str) -> str:
    if field_name == "vin":
        return normalise_vin(text)
    if field_name == "plate":
        return normalise_plate(text)
    return text.strip()


def _char_votes(obs: Observation) -> list[dict[str, float]]:
    w = obs.weight
    if len(obs.chars) == len(obs.text):
        votes = []
        for c in obs.chars:
            v = {c.char: w * max(c.confidence, 0.05)}
            for alt, p in c.alternatives:
                if alt != c.char:
                    v[alt] = v.get(alt, 0.0) + w * p
            votes.append(v)
        return votes
    return [{ch: w * max(obs.confidence, 0.05)} for ch in obs.text]


def fuse(field_name: str, observations: Sequence[Observation], previous: str | None = None) -> FusedRead | None:
    """Vote the observations of one field into one answer; ``previous`` is the standing answer."""
    obs = [o for o in observations if o.text]
    if not obs:
        return None
    by_length: dict[int, float] = {}
    for o in obs:
        by_length[len(o.text)] = by_length.get(len(o.text), 0.0) + o.weight
    best_len = max(by_length, key=lambda n: (by_length[n], previous is not None and n == len(previous)))
    if previous is not None and len(previous) in by_length and best_len != len(previous):
        if by_length[best_len] < SWITCH_MARGIN * by_length[len(previous)]:
            best_len = len(previous)
    same = [o for o in obs if len(o.text) == best_len]
    totals: list[dict[str, float]] = [{} for _ in range(best_len)]
    for o in same:
        for i, v in enumerate(_char_votes(o)):
            for ch, p in v.items():
                totals[i][ch] = totals[i].get(ch, 0.0) + p
    keep_previous = previous is not None and len(previous) == best_len
    chars: list[CharRead] = []
    candidates: list[list[tuple[str, float]]] = []
    for i, votes in enumerate(totals):
        ranked = sorted(votes.items(), key=lambda kv: -kv[1])
        top, top_votes = ranked[0]
        if keep_previous and previous is not None and top != previous[i]:
            standing = votes.get(previous[i], 0.0)
            if standing > 0 and top_votes < SWITCH_MARGIN * standing:
                top = previous[i]
        total = sum(votes.values())
        share = votes[top] / total
        alts = tuple((c, round(p / total, 4)) for c, p in ranked if c != top)[:3]
        chars.append(CharRead(top, round(share, 4), alts))
        candidates.append([(top, share), *alts])
    text = "".join(c.char for c in chars)
    text, valid, corrected = _apply_rules(field_name, text, candidates)
    if corrected:
        shares = [dict(c) for c in candidates]
        chars = [c if i not in corrected else CharRead(text[i], round(shares[i].get(text[i], 0.0), 4), c.alternatives)
                 for i, c in enumerate(chars)]
    weight = sum(o.weight for o in same)
    support = weight / (weight + SUPPORT_HALF)
    confidence = min(c.confidence for c in chars) * support
    agreeing = sum(1 for o in same if o.text == text)
    return FusedRead(field_name, text, round(confidence, 4), tuple(chars), len(obs), agreeing, valid, corrected)


def _apply_rules(field_name: str, text: str, candidates: list[list[tuple[str, float]]]
                 ) -> tuple[str, bool, tuple[int, ...]]:
    if field_name == "vin":
        if validate_vin(text).valid:
            return text, True, ()
        fixed = correct_vin(candidates)
        if fixed.valid and not fixed.ambiguous:
            return fixed.text, True, tuple(c.position - 1 for c in fixed.corrected)
        return text, False, ()
    if field_name == "plate":
        if validate_plate(text).valid:
            return text, True, ()
        fixed_plate = correct_plate(candidates)
        if fixed_plate.valid and not fixed_plate.ambiguous:
            return fixed_plate.text, True, tuple(c.position - 1 for c in fixed_plate.corrected)
        return text, False, ()
    return text, True, ()


# ------------------------------------------------------------------------------------------------ checklist


@dataclass(frozen=True, slots=True)
class Evidence:
    """The kept evidence frame of an item (the serving layer adds file, hash and chain)."""

    frame_seq: int
    quality: float
    text: str


@dataclass
class _ItemState:
    item: ChecklistItem
    reads: int = 0
    agreeing: int = 0
    evidence: Evidence | None = None
    complete: bool = False


@dataclass(frozen=True, slots=True)
class ItemStatus:
    item: ChecklistItem
    field: str
    complete: bool
    reads: int
    agreeing: int
    evidence: Evidence | None
    evidence_agrees: bool


@dataclass(frozen=True, slots=True)
class EvidenceChoice:
    """Keep this frame as the item's evidence (replacing the previous one)."""

    item: ChecklistItem
    frame_seq: int
    quality: float
    text: str


@dataclass(frozen=True, slots=True)
class ReadUpdate:
    """What one read changed: the fused answers, frames to keep as evidence, items completed."""

    fused: tuple[FusedRead, ...]
    evidence: tuple[EvidenceChoice, ...]
    completed: tuple[ChecklistItem, ...]
    assigned: ChecklistItem | None


@dataclass(frozen=True, slots=True)
class Detection:
    """Overlay geometry of the latest read: what was read where."""

    field: str
    text: str
    confidence: float
    box_xyxy: BoxXYXY
    agrees: bool


def observations_of(read: VehicleRead, quality: float, frame_seq: int) -> list[Observation]:
    out = [Observation("plate", p.text, p.confidence, quality, frame_seq, p.read.chars if p.read else (),
                       p.box_xyxy) for p in read.plates]
    out += [Observation("vin", v.text, v.confidence, quality, frame_seq, v.read.chars if v.read else (), v.box_xyxy)
            for v in read.vins]
    return out


@dataclass
class InspectionSession:
    """The live state of one remote inspection."""

    checklist: tuple[ChecklistItem, ...]
    focus: ChecklistItem | None = None
    observations: dict[str, list[Observation]] = field(default_factory=dict)
    fused: dict[str, FusedRead] = field(default_factory=dict)
    items: dict[ChecklistItem, _ItemState] = field(default_factory=dict)
    frames_seen: int = 0
    frames_read: int = 0
    replay_score: float = 0.0
    replay_frames: int = 0
    last_detections: tuple[Detection, ...] = ()
    last_size_wh: tuple[int, int] = (0, 0)
    _just_done: ChecklistItem | None = None

    def __post_init__(self) -> None:
        for item in self.checklist:
            self.items.setdefault(item, _ItemState(item))

    # ------------------------------------------------------------------------------------------ progress

    @property
    def active_item(self) -> ChecklistItem | None:
        if self.focus is not None and not self.items[self.focus].complete:
            return self.focus
        return next((i for i in self.checklist if not self.items[i].complete), None)

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.items.values())

    def set_focus(self, item: str | None) -> None:
        if item is None:
            self.focus = None
            return
        chosen = ChecklistItem(item)
        if chosen not in self.items:
            raise ValueError(f"{chosen} is not on this session's checklist {[str(i) for i in self.checklist]}")
        self.focus = chosen

    def item_status(self) -> tuple[ItemStatus, ...]:
        out = []
        for item in self.checklist:
            s = self.items[item]
            fused = self.fused.get(ITEM_FIELD[item])
            agrees = s.evidence is not None and fused is not None and s.evidence.text == fused.text
            out.append(ItemStatus(item, ITEM_FIELD[item], s.complete, s.reads, s.agreeing, s.evidence, agrees))
        return tuple(out)

    # ------------------------------------------------------------------------------------------ per frame

    def observe_frame(self, quality: FrameQuality) -> Guidance:
        """Every processed frame: count it and say what the user should do next."""
        self.frames_seen += 1
        active = self.active_item
        done = self._just_done
        self._just_done = None
        if active is None:
            return guidance_for(quality, None)
        kind = ITEM_FIELD[active]
        box = next((d.box_xyxy for d in self.last_detections if d.field == kind), None)
        target = TargetView(ITEM_KIND[active], ITEM_LABEL[active], box, self.last_size_wh[0])
        return guidance_for(quality, target, ITEM_LABEL[done] if done is not None else None)

    def observe_replay(self, cue: ReplayCue) -> None:
        self.replay_frames += 1
        a = 1.0 if self.replay_frames == 1 else REPLAY_EMA
        self.replay_score = round((1 - a) * self.replay_score + a * cue.score, 4)

    @property
    def replay_suspected(self) -> bool:
        return self.replay_frames >= REPLAY_MIN_FRAMES and self.replay_score >= REPLAY_SUSPECT

    def observe_read(self, read: VehicleRead, quality: float, frame_seq: int,
                     extra: Sequence[Observation] = ()) -> ReadUpdate:
        """A read of a frame: fuse it, assign it to a checklist item, pick evidence, complete items."""
        self.frames_read += 1
        self.last_size_wh = read.size_wh
        new = observations_of(read, quality, frame_seq) + list(extra)
        fields_read: dict[str, Observation] = {}
        for o in new:
            o = Observation(o.field, _normalise(o.field, o.text), o.confidence, o.quality, o.frame_seq, o.chars,
                            o.box_xyxy)
            if len(o.chars) != len(o.text):
                o = Observation(o.field, o.text, o.confidence, o.quality, o.frame_seq, (), o.box_xyxy)
            best = fields_read.get(o.field)
            if best is None or o.confidence > best.confidence:
                fields_read[o.field] = o
        fused_now: list[FusedRead] = []
        for name, o in fields_read.items():
            bucket = self.observations.setdefault(name, [])
            bucket.append(o)
            del bucket[:-MAX_OBSERVATIONS]
            previous = self.fused.get(name)
            result = fuse(name, bucket, previous.text if previous else None)
            if result is not None:
                self.fused[name] = result
                fused_now.append(result)
        self.last_detections = tuple(
            Detection(o.field, o.text, o.confidence, o.box_xyxy, o.text == self.fused[o.field].text)
            for o in fields_read.values() if o.box_xyxy is not None and o.field in self.fused)

        assigned = self._assign(fields_read)
        choices: list[EvidenceChoice] = []
        completed: list[ChecklistItem] = []
        if assigned is not None:
            obs = fields_read[ITEM_FIELD[assigned]]
            state = self.items[assigned]
            fused = self.fused[ITEM_FIELD[assigned]]
            state.reads += 1
            agrees = obs.text == fused.text
            if agrees:
                state.agreeing += 1
                kept = state.evidence
                if kept is None or kept.text != fused.text or quality > kept.quality + EVIDENCE_MIN_GAIN:
                    state.evidence = Evidence(frame_seq, round(quality, 4), obs.text)
                    choices.append(EvidenceChoice(assigned, frame_seq, round(quality, 4), obs.text))
        # Completion is re-evaluated for every item: a fused answer that moves can also un-complete one.
        for item in self.checklist:
            state = self.items[item]
            fused_item = self.fused.get(ITEM_FIELD[item])
            now = (fused_item is not None and fused_item.stable and state.evidence is not None
                   and state.evidence.text == fused_item.text and state.agreeing >= ITEM_MIN_READS)
            if now and not state.complete:
                completed.append(item)
                self._just_done = item
            state.complete = now
        return ReadUpdate(tuple(fused_now), tuple(choices), tuple(completed), assigned)

    def _assign(self, fields_read: Mapping[str, Observation]) -> ChecklistItem | None:
        """The item a read counts for: the active item if the read has its field, else the first
        incomplete item that wants a field the read has (front and rear are told apart by the order
        the guidance asks for them, or by the inspector's focus)."""
        active = self.active_item
        if active is not None and ITEM_FIELD[active] in fields_read:
            return active
        return next((i for i in self.checklist if not self.items[i].complete and ITEM_FIELD[i] in fields_read),
                    None)

    # ------------------------------------------------------------------------------------------ persistence

    def to_dict(self) -> dict[str, Any]:
        return {
            "checklist": [str(i) for i in self.checklist],
            "focus": str(self.focus) if self.focus else None,
            "observations": {k: [o.to_dict() for o in v] for k, v in self.observations.items()},
            "items": {str(k): {"reads": s.reads, "agreeing": s.agreeing, "complete": s.complete,
                               "evidence": None if s.evidence is None else
                               {"frame_seq": s.evidence.frame_seq, "quality": s.evidence.quality,
                                "text": s.evidence.text}}
                      for k, s in self.items.items()},
            "fused": {k: v.text for k, v in self.fused.items()},
            "frames_seen": self.frames_seen,
            "frames_read": self.frames_read,
            "replay_score": self.replay_score,
            "replay_frames": self.replay_frames,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> InspectionSession:
        s = cls(tuple(ChecklistItem(i) for i in d["checklist"]),
                ChecklistItem(d["focus"]) if d.get("focus") else None)
        s.observations = {k: [Observation.from_dict(o) for o in v] for k, v in d.get("observations", {}).items()}
        for name, text in d.get("fused", {}).items():
            # Re-fuse from the stored reads with the stored answer standing, as it stood before.
            result = fuse(name, s.observations.get(name, []), text)
            if result is not None:
                s.fused[name] = result
        for key, v in d.get("items", {}).items():
            ev = v.get("evidence")
            s.items[ChecklistItem(key)] = _ItemState(
                ChecklistItem(key), int(v["reads"]), int(v["agreeing"]),
                Evidence(int(ev["frame_seq"]), float(ev["quality"]), ev["text"]) if ev else None, bool(v["complete"]))
        s.frames_seen = int(d.get("frames_seen", 0))
        s.frames_read = int(d.get("frames_read", 0))
        s.replay_score = float(d.get("replay_score", 0.0))
        s.replay_frames = int(d.get("replay_frames", 0))
        return s
