# The shop's API (Flask): the catalogue from PostgreSQL, orders queued in Redis for the worker.
import os

import psycopg2
import redis
from flask import Flask, jsonify

app = Flask(__name__)
queue = redis.Redis.from_url(os.environ["REDIS_URL"])
MARK = "v0"


def items():
    with psycopg2.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM items ORDER BY id")
        return [name for (name,) in cur.fetchall()]


@app.get("/health")
def health():
    return jsonify(status="ok", mark=MARK, items=len(items()), queued=queue.llen("orders"))


@app.post("/orders/<name>")
def order(name):
    queue.rpush("orders", name)
    return jsonify(queued=name)
