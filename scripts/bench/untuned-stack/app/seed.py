# One-shot: create the catalogue table and its rows; the API starts once this exits 0.
import os

import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
with conn, conn.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text UNIQUE NOT NULL)")
    for name in ("tea", "coffee", "cocoa"):
        cur.execute("INSERT INTO items (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,))
conn.close()
print("seed: 3 items", flush=True)
