"""HTTP routes. Debugger tests set breakpoints in this file: keep handler bodies a few lines each."""

import uuid

import redis
from celery.result import AsyncResult
from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select, text

from app.config import settings
from app.db import SessionLocal
from app.models import Task
from app.schemas import AddPayload, TaskCreate, TaskOut, WordCountPayload
from app.worker import celery_app, run_task

router = APIRouter(prefix="/api")

PAYLOAD_SCHEMAS = {"add": AddPayload, "word_count": WordCountPayload}


def check_database() -> str:
    try:
        with SessionLocal() as session:
            session.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the health endpoint reports any failure
        return f"error: {exc.__class__.__name__}: {exc}".strip()[:300]


def check_redis() -> str:
    try:
        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}: {exc}"[:300]


@router.get("/health")
def health():
    checks = {"db": check_database(), "redis": check_redis()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


def to_out(task: Task) -> TaskOut:
    state, result, error = task.status, task.result, None
    if task.result is None:
        async_result = AsyncResult(task.task_id, app=celery_app)
        state = async_result.state
        if async_result.successful():
            result = async_result.result
        elif async_result.failed():
            error = str(async_result.result)
    return TaskOut(
        id=task.id,
        task_id=task.task_id,
        kind=task.kind,
        payload=task.payload,
        state=state,
        result=result,
        error=error,
        created_at=task.created_at,
        finished_at=task.finished_at,
    )


@router.post("/tasks", status_code=202, response_model=TaskOut)
def create_task(body: TaskCreate):
    try:
        payload = PAYLOAD_SCHEMAS[body.kind](**body.payload).dict()
    except ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.errors()) from exc
    task_id = str(uuid.uuid4())
    with SessionLocal.begin() as session:
        task = Task(task_id=task_id, kind=body.kind, payload=payload, status="PENDING")
        session.add(task)
    # Enqueue only after the row is committed, so the worker always finds it.
    run_task.apply_async(args=[body.kind, payload], task_id=task_id)
    return to_out(task)


@router.get("/tasks", response_model=list[TaskOut])
def list_tasks(limit: int = 10):
    with SessionLocal() as session:
        tasks = session.scalars(select(Task).order_by(Task.id.desc()).limit(min(limit, 100))).all()
        return [to_out(task) for task in tasks]


@router.get("/tasks/{task_id}", response_model=TaskOut)
def get_task(task_id: str):
    with SessionLocal() as session:
        task = session.scalars(select(Task).where(Task.task_id == task_id)).first()
    if task is None:
        raise HTTPException(status_code=404, detail=f"no task {task_id}")
    return to_out(task)
