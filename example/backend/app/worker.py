"""Celery app and its task. Run with: celery -A app.worker worker --pool=solo --loglevel=INFO

--pool=solo runs tasks in the worker's own process, so a debugger attached to the worker
stops at breakpoints in tasks (a prefork pool would run them in forked children).
"""

from datetime import datetime, timezone

from celery import Celery
from sqlalchemy import select

from app.config import settings
from app.db import SessionLocal
from app.jobs import run_job
from app.models import Task

celery_app = Celery("devenv_reference", broker=settings.broker_url, backend=settings.result_backend)
celery_app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_track_started=True,
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)


@celery_app.task(name="reference.run_job", bind=True)
def run_task(self, kind: str, payload: dict) -> dict:
    result = run_job(kind, payload)
    # The API reads results from Redis while they are fresh and from Postgres after that.
    with SessionLocal.begin() as session:
        task = session.scalars(select(Task).where(Task.task_id == self.request.id)).first()
        if task is not None:
            task.status = "SUCCESS"
            task.result = result
            task.finished_at = datetime.now(timezone.utc)
    return result
