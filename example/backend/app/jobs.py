"""What the worker computes: plain functions, so they are testable without Celery or Redis."""

import re
from collections import Counter

WORD = re.compile(r"[\w']+")


def add(a: float, b: float) -> dict:
    return {"sum": a + b}


def word_count(text: str, top: int = 5) -> dict:
    words = [w.lower() for w in WORD.findall(text)]
    return {
        "words": len(words),
        "unique": len(set(words)),
        "top": [[word, n] for word, n in Counter(words).most_common(top)],
    }


JOBS = {"add": lambda p: add(p["a"], p["b"]), "word_count": lambda p: word_count(p["text"])}


def run_job(kind: str, payload: dict) -> dict:
    if kind not in JOBS:
        raise ValueError(f"unknown task kind {kind!r}; expected one of {sorted(JOBS)}")
    return JOBS[kind](payload)
