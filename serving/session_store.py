"""Tables of remote inspection sessions and their evidence chain (created with the other tables of
:mod:`serving.storage`), and the evidence files under ``<data_dir>/evidence/<session>/``.

Each evidence record is chained to the one before it: ``chain_hash = sha256(prev_hash | session | seq |
item | captured_at | frame_seq | file sha256 | text)``. Changing a file, a record, or deleting one breaks
the chain at that point, which :func:`verify_chain` reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import DateTime, Float, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .storage import Base, Store

GENESIS = "0" * 64


class SessionRow(Base):
    __tablename__ = "inspection_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # open, closed, expired
    business_type: Mapped[str] = mapped_column(String(32))
    record_json: Mapped[str] = mapped_column(Text)
    state_json: Mapped[str] = mapped_column(Text)
    frames_received: Mapped[int] = mapped_column(Integer, default=0)
    frames_processed: Mapped[int] = mapped_column(Integer, default=0)
    frames_skipped: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    report_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class EvidenceRow(Base):
    __tablename__ = "session_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    item: Mapped[str] = mapped_column(String(32))
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    frame_seq: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(512))  # relative to the data dir
    sha256: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    quality: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(String(64))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(t: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; they were stored in UTC."""
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def chain_hash(prev_hash: str, session_id: str, seq: int, item: str, captured_at: dt.datetime, frame_seq: int,
               file_sha256: str, text: str) -> str:
    material = "|".join((prev_hash, session_id, str(seq), item, as_utc(captured_at).isoformat(), str(frame_seq),
                         file_sha256, text))
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainCheck:
    ok: bool
    records: int
    problems: tuple[str, ...]


def verify_chain(rows: Sequence[EvidenceRow], data_dir: Path) -> ChainCheck:
    """Recompute every file hash and every link of a session's evidence chain."""
    problems: list[str] = []
    prev = GENESIS
    for expected_seq, row in enumerate(sorted(rows, key=lambda r: r.seq), start=1):
        if row.seq != expected_seq:
            problems.append(f"record {expected_seq} is missing (next is {row.seq})")
        if row.prev_hash != prev:
            problems.append(f"record {row.seq}: does not link to the record before it")
        path = data_dir / row.path
        if not path.is_file():
            problems.append(f"record {row.seq}: evidence file {row.path} is missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != row.sha256:
            problems.append(f"record {row.seq}: evidence file {row.path} was modified (SHA-256 differs)")
        recomputed = chain_hash(row.prev_hash, row.session_id, row.seq, row.item, row.captured_at, row.frame_seq,
                                row.sha256, row.text)
        if recomputed != row.chain_hash:
            problems.append(f"record {row.seq}: the record was altered (chain hash differs)")
        prev = row.chain_hash
    return ChainCheck(not problems, len(rows), tuple(problems))


class SessionStore:
    """Session rows and the evidence chain, over the service's :class:`Store` engine."""

    def __init__(self, store: Store, data_dir: Path) -> None:
        self.engine = store.engine
        self.data_dir = data_dir
        Base.metadata.create_all(self.engine, tables=[SessionRow.__table__, EvidenceRow.__table__])

    def create(self, row: SessionRow) -> None:
        with Session(self.engine) as s, s.begin():
            s.add(row)

    def get(self, session_id: str) -> SessionRow | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(SessionRow, session_id)

    def save(self, session_id: str, **values: object) -> None:
        with Session(self.engine) as s, s.begin():
            s.execute(update(SessionRow).where(SessionRow.id == session_id).values(**values))

    def idle_open(self, cutoff: dt.datetime) -> list[str]:
        with Session(self.engine) as s:
            rows = s.scalars(select(SessionRow.id).where(SessionRow.status == "open", SessionRow.updated_at < cutoff))
            return list(rows)

    def evidence(self, session_id: str) -> list[EvidenceRow]:
        with Session(self.engine, expire_on_commit=False) as s:
            q = select(EvidenceRow).where(EvidenceRow.session_id == session_id).order_by(EvidenceRow.seq)
            return list(s.scalars(q))

    def add_evidence(self, session_id: str, item: str, frame_seq: int, jpeg: bytes, quality: float, text: str,
                     captured_at: dt.datetime) -> EvidenceRow:
        """Write the file, then append the chained record. Callers serialise this per session."""
        rows = self.evidence(session_id)
        seq = len(rows) + 1
        prev = rows[-1].chain_hash if rows else GENESIS
        rel = Path("evidence") / session_id / f"{seq:04d}-{item}.jpg"
        path = self.data_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(jpeg)
        tmp.replace(path)
        digest = hashlib.sha256(jpeg).hexdigest()
        row = EvidenceRow(session_id=session_id, seq=seq, item=item, captured_at=captured_at, frame_seq=frame_seq,
                          path=rel.as_posix(), sha256=digest, prev_hash=prev, quality=quality, text=text,
                          chain_hash=chain_hash(prev, session_id, seq, item, captured_at, frame_seq, digest, text))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            s.add(row)
        return row

    def verify(self, session_id: str) -> ChainCheck:
        return verify_chain(self.evidence(session_id), self.data_dir)
