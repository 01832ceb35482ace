"""The one table: a record of every task the API enqueued and, once done, its result."""

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, Integer, String, func
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Task(Base):
    __tablename__ = "tasks"

    id = Column(Integer, primary_key=True)
    task_id = Column(String(64), nullable=False, unique=True, index=True)
    kind = Column(String(32), nullable=False)
    payload = Column(JSON, nullable=False)
    status = Column(String(16), nullable=False, default="PENDING")
    result = Column(JSON, nullable=True)
    # Set in Python too, so a freshly inserted row has it without a round trip.
    created_at = Column(
        DateTime(timezone=True),
        nullable=False,
        default=lambda: datetime.now(timezone.utc),
        server_default=func.now(),
    )
    finished_at = Column(DateTime(timezone=True), nullable=True)
