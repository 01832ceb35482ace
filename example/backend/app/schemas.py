"""Request and response bodies of the API (pydantic 1.x, as packaged in Debian 12)."""

from datetime import datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field


class AddPayload(BaseModel):
    a: float
    b: float


class WordCountPayload(BaseModel):
    text: str = Field(..., max_length=100_000)


class TaskCreate(BaseModel):
    kind: Literal["add", "word_count"]
    payload: dict[str, Any]


class TaskOut(BaseModel):
    id: int
    task_id: str
    kind: str
    payload: dict[str, Any]
    state: str
    result: Optional[Any] = None
    error: Optional[str] = None
    created_at: datetime
    finished_at: Optional[datetime] = None
