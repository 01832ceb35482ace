"""Settings from the environment, with defaults that suit host processes on 127.0.0.1."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    broker_url: str
    result_backend: str


def load_settings() -> Settings:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    return Settings(
        database_url=os.environ.get(
            "DATABASE_URL", "postgresql://app:devenv@127.0.0.1:5432/app"
        ),
        redis_url=redis_url,
        broker_url=os.environ.get("CELERY_BROKER_URL", redis_url),
        result_backend=os.environ.get("CELERY_RESULT_BACKEND", redis_url),
    )


settings = load_settings()
