"""devenv reference stack: the backend (FastAPI API + Celery worker, one code base)."""
