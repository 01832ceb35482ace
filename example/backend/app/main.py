"""ASGI entry point: uvicorn app.main:app --host 0.0.0.0 --port 8000 --reload"""

from fastapi import FastAPI

from app.routes import router

app = FastAPI(title="devenv reference backend", version="1.0.0")
app.include_router(router)
