"""The service's database: SQLite under ``var/`` by default (any SQLAlchemy URL works, e.g. PostgreSQL).

Holds an audit trail of requests with identifiers masked; later features add their tables here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import DateTime, Float, Integer, String, create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(String(1024))  # masked identifiers only


class Store:
    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    def audit(self, action: str, status: int, duration_ms: float, summary: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(AuditEvent(created_at=dt.datetime.now(dt.UTC), action=action, status=status,
                                   duration_ms=duration_ms, summary=summary[:1024]))

    def recent_audit(self, limit: int = 50) -> list[AuditEvent]:
        with Session(self.engine) as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers go on while a request writes; a busy timeout instead of "database is locked".
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()
