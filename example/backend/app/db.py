"""SQLAlchemy engine and session factory (SQLAlchemy 1.4 with the 2.0-style API)."""

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from app.config import settings

# pool_pre_ping: a dev database is restarted often; stale pooled connections must not
# turn into a 500 on the next request.
engine = create_engine(settings.database_url, future=True, pool_pre_ping=True)
SessionLocal = sessionmaker(bind=engine, future=True, expire_on_commit=False)
