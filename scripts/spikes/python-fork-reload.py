"""SPIKE, not wired into devenv: a fork-server reloader for a uvicorn app, measured as the next
step for "save a .py -> the backend serves the new code <= 1 s" (issue 4). See
docs/debugging.md, "Save -> served: where the time goes".

    python3 python-fork-reload.py WATCH_DIR module:app HOST PORT
    python3 -m debugpy --listen 0.0.0.0:5678 python-fork-reload.py WATCH_DIR module:app HOST PORT

The parent learns, in a throwaway forked child, which modules the app imports, imports every one
of them that is not the project's own (FastAPI, SQLAlchemy, Celery, pydantic, uvicorn), binds the
socket, and forks one server child per change (inotify through libc: no polling, nothing for
pydevd to trace while idle). A child only imports the project's modules, fresh. The new child
accepts on the shared socket while the old one drains. Under debugpy, pydevd follows os.fork:
every child is announced (`debugpyAttach`) and breakpoints hold in it.

Measured 2026-12-05 in the reference backend image, app bind-mounted, 7 edits each (p50):
    uvicorn --reload                          995 ms    this spike  174 ms
    debugpy + uvicorn --reload (no client)   2365 ms    this spike  668 ms
    debugpy, a DAP client attached with a breakpoint in the edited route: the new child was
    announced and attached, the breakpoint hit in it, new code served 800 ms after the save.

Before it can ship: devenv would rewrite `uvicorn APP --reload ...` to this reloader (as it
rewrites commands for debugpy; passing it with `python3 -c` needs no file in the image), hand the
child uvicorn's own CLI parsing (`--fd`), take the change signal from the sync rather than
inotify where the runtime allows, fall back to uvicorn's reloader on anything it does not
recognise, and the debug, live-edit and F5 tests must pass through it.
"""
import ctypes, ctypes.util, importlib, os, signal, socket, struct, sys, time

watch, app, host, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
root = os.path.abspath(os.getcwd())
sys.path.insert(0, root)
t0 = time.monotonic()

def project_module(m):
    f = getattr(m, "__file__", None) or ""
    return os.path.abspath(f).startswith(root + os.sep)

# 1. Learn what the app imports, in a throwaway child, so the parent never imports project code.
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    importlib.import_module(app.split(":")[0])
    names = [n for n, m in list(sys.modules.items()) if m is not None and not project_module(m)]
    os.write(w, "\n".join(names).encode())
    os._exit(0)
os.close(w)
data = b""
while True:
    chunk = os.read(r, 1 << 16)
    if not chunk:
        break
    data += chunk
os.waitpid(pid, 0)
for name in data.decode().split("\n"):
    if name and name not in sys.modules:
        try:
            importlib.import_module(name)
        except Exception:
            pass
import uvicorn

print(f"reloader: preloaded {len(sys.modules)} modules in {time.monotonic() - t0:.2f}s", flush=True)

sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind((host, port))
sock.listen(2048)

def start():
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        config = uvicorn.Config(app, host=host, port=port, log_level="info")
        uvicorn.Server(config).run(sockets=[sock])
        os._exit(0)
    return pid

# inotify through libc
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
fd = libc.inotify_init1(0)
IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x8, 0x80, 0x100, 0x200
for d, dirs, files in os.walk(watch):
    dirs[:] = [x for x in dirs if x != "__pycache__"]
    libc.inotify_add_watch(fd, d.encode(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE)

child = start()
while True:
    buf = os.read(fd, 65536)
    names = []
    i = 0
    while i < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, i)
        names.append(buf[i + 16 : i + 16 + ln].rstrip(b"\0").decode())
        i += 16 + ln
    if not any(n.endswith(".py") for n in names):
        continue
    t = time.monotonic()
    new = start()  # the new child accepts on the shared socket while the old one drains
    os.kill(child, signal.SIGTERM)
    os.waitpid(child, 0)
    child = new
    print(f"reloader: {names} -> new child {new} ({(time.monotonic() - t) * 1000:.0f} ms to retire the old)", flush=True)
