# devenv's fork reloader for the Python dev servers that reload: `uvicorn … --reload`, Flask's
# `flask run` in debug mode (or with `--reload`), Django's `manage.py runserver`
# (docs/debugging.md, "Fast reload").
#
# devenv runs the command with `-c BOOT` put before its program, `python3 -c BOOT -m uvicorn APP …
# --reload`, `python3 -c BOOT -m flask …`, `python3 -c BOOT manage.py runserver …`, with this
# file's text in the environment variable DEVENV_RELOADER (BOOT execs it, or runs the command as
# written when it is missing). The options are read by the server's own command line, the socket
# is bound once here, and a forked child serves. When a watched file changes (inotify, no polling)
# the next child takes over and the old one is retired. Each child reports the modules it
# imported; this process imports the ones from the standard library and installed packages
# (FastAPI, Flask, Django, SQLAlchemy, Celery, …), so a reload imports only the project's modules,
# in a forked process, with no new interpreter. A spare child is forked ahead of the next change
# and waits, before importing anything of the project, to be released. Under debugpy, pydevd
# follows os.fork: every child is announced to the client (`debugpyAttach`) and breakpoints hold
# in it.
#
# Anything this cannot handle (no inotify, options it cannot read, out of inotify watches, a
# Django `runserver` that is not Django's own server) runs the command as written, with the
# server's own reloader, after one line that says why.
# Python 3.8+, standard library and the server's own package only.

import os
import sys

ARGS = sys.argv[1:]


def say(message):
    sys.stderr.write("devenv reload: " + message + "\n")
    sys.stderr.flush()


def run_native(reason=None):
    """The command as written: the server and its own reloader."""
    if reason:
        say(reason + "; running the server's own reloader instead")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable] + ARGS)


import ctypes  # noqa: E402
import fnmatch  # noqa: E402
import importlib  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import sysconfig  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402

IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x1000000
IN_ISDIR = 0x40000000
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
WATCH_MASK = IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR

# uvicorn's defaults for --reload-include / --reload-exclude.
DEFAULT_INCLUDES = ["*.py"]
DEFAULT_EXCLUDES = [".*", ".py[cod]", ".sw.*", "~*"]
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "dist-packages"}
# Seconds: quiet time that ends a burst of events (a sync batch, a branch switch), and its cap.
SETTLE, SETTLE_CAP = 0.005, 0.2
RETIRE_GRACE = 5.0
# Background work (importing the libraries a server reported, forking a spare) waits for a calm
# machine: while a whole stack starts on a few cores it would take CPU from the services being
# waited for. Calm: at least BACKGROUND_IDLE of all CPUs idle over one tick (from /proc/stat), or
# BACKGROUND_MAX_WAIT seconds passed. A change meanwhile does the import at once, before the fork.
BACKGROUND_TICK = 0.25
BACKGROUND_IDLE = 0.5
BACKGROUND_MAX_WAIT = 10.0


def cpu_times():
    """(idle, total) jiffies of all CPUs, or None where /proc/stat cannot be read."""
    try:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return values[3] + (values[4] if len(values) > 4 else 0), sum(values)


class Background:
    """When deferred work may run: the machine was calm over the last tick, or it waited long enough."""

    def __init__(self):
        self.deadline = None
        self.sample = None
        self.last_tick = 0.0

    def start(self):
        if self.deadline is None:
            self.deadline = time.monotonic() + BACKGROUND_MAX_WAIT
            self.sample = cpu_times()

    def stop(self):
        self.deadline = None

    def wait(self):
        """Seconds until the next tick, or None when no work waits."""
        if self.deadline is None:
            return None
        return max(0.0, self.last_tick + BACKGROUND_TICK - time.monotonic())

    def tick_due(self):
        """True (once per tick) when work waits and a tick has passed."""
        if self.deadline is None or time.monotonic() < self.last_tick + BACKGROUND_TICK:
            return False
        self.last_tick = time.monotonic()
        return True

    def calm(self):
        """Called each tick while work waits."""
        now = cpu_times()
        before, self.sample = self.sample, now
        if now is None or before is None or time.monotonic() >= self.deadline:
            return True
        idle, total = now[0] - before[0], now[1] - before[1]
        return total > 0 and idle / total >= BACKGROUND_IDLE


class OutOfWatches(Exception):
    pass


class Watcher:
    """inotify over the reload directories, recursively, skipping caches, virtualenvs and dot-dirs."""

    def __init__(self, dirs, includes, excludes, excluded_dirs):
        self.libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(self.libc, "inotify_init1"):
            raise OSError("this C library has no inotify")
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1: " + os.strerror(ctypes.get_errno()))
        self.includes = includes
        self.excludes = excludes
        self.excluded_dirs = [os.path.realpath(d) for d in excluded_dirs]
        self.dirs = {}
        for d in dirs:
            self.add_tree(d)

    def skip_dir(self, path):
        name = os.path.basename(path)
        if name in SKIP_DIRS or name.startswith(".") or os.path.exists(os.path.join(path, "pyvenv.cfg")):
            return True
        real = os.path.realpath(path)
        return any(real == d or real.startswith(d + os.sep) for d in self.excluded_dirs)

    def add_tree(self, top):
        """Watch `top` and the directories under it; True when it holds a file that triggers a reload."""
        found = False
        for here, subdirs, files in os.walk(top):
            if here != top and self.skip_dir(here):
                subdirs[:] = []
                continue
            subdirs[:] = [s for s in subdirs if not self.skip_dir(os.path.join(here, s))]
            wd = self.libc.inotify_add_watch(self.fd, os.fsencode(here), WATCH_MASK)
            if wd < 0:
                err = ctypes.get_errno()
                if err == 28:  # ENOSPC
                    raise OutOfWatches(here)
                continue  # gone meanwhile, or unreadable: nothing to watch there
            self.dirs[wd] = here
            found = found or any(self.matches(f) for f in files)
        return found

    def matches(self, name):
        return any(fnmatch.fnmatch(name, p) for p in self.includes) and not any(
            fnmatch.fnmatch(name, p) for p in self.excludes
        )

    def read(self):
        """Changed paths in what inotify has queued now ('*' for an overflow)."""
        try:
            buf = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return []
        changed = []
        i = 0
        while i + 16 <= len(buf):
            wd, mask, _cookie, length = struct.unpack_from("iIII", buf, i)
            name = os.fsdecode(buf[i + 16 : i + 16 + length].rstrip(b"\0"))
            i += 16 + length
            if mask & IN_Q_OVERFLOW:
                changed.append("*")
                continue
            if mask & IN_IGNORED:
                self.dirs.pop(wd, None)
                continue
            base = self.dirs.get(wd)
            if base is None or not name:
                continue
            path = os.path.join(base, name)
            if mask & IN_ISDIR:
                if self.skip_dir(path):
                    continue
                if mask & (IN_CREATE | IN_MOVED_TO):
                    if self.add_tree(path):
                        changed.append(path)
                else:
                    changed.append(path)  # a directory of modules moved away or deleted
            elif mask & (IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) and self.matches(name):
                # IN_ATTRIB: a new mtime alone (os.utime) reloads, as with uvicorn's own stat reloader.
                changed.append(path)
        return changed

    def close(self):
        os.close(self.fd)


def die_with_parent(parent):
    """In a forked server: the kernel kills it when the reloader dies, even by SIGKILL, so no
    server is left answering on the port re-parented to PID 1. Linux only (elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the reloader died before prctl took effect
        os._exit(1)


def library_paths():
    paths = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            paths.add(os.path.realpath(p))
    return paths


def under(path, roots):
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def is_library_module(module, libraries):
    """A module of the standard library or an installed package: never one the project edits."""
    f = getattr(module, "__file__", None)
    places = [f] if f else list(getattr(module, "__path__", None) or [])
    if not places:
        return True  # built into the interpreter
    for p in places:
        real = os.path.realpath(p)
        if not ("site-packages" in real or "dist-packages" in real or under(real, libraries)):
            return False
    return True


def untraced():
    """Stop debugpy tracing this thread (the parent never runs project code); returns the undo."""
    debugpy = sys.modules.get("debugpy")
    if debugpy is None or not hasattr(debugpy, "trace_this_thread"):
        return lambda: None
    try:
        debugpy.trace_this_thread(False)
    except Exception:  # noqa: BLE001
        return lambda: None
    return lambda: debugpy.trace_this_thread(True)


DEBUGGER_MODULES = ("_pydev", "pydevd", "_pydevd", "debugpy", "__main__")


# ---- the servers ---------------------------------------------------------------------------------
# Each reads its options with the server's own command line (in this process: nothing of the
# project is imported here), binds the socket, and in a forked child loads the app (then calls
# `loaded`) and serves on the inherited socket. NativeOnly raised in a child hands the whole
# command back to the server's own reloader.


class NativeOnly(Exception):
    """Raised in a child: this command needs the server's own reloader (the reason)."""


class UvicornServer:
    name = "uvicorn"

    def __init__(self, args):
        try:
            import uvicorn.main  # noqa: F401  (the package's `main` attribute is the command; the module is in sys.modules)
            from uvicorn.config import Config
            from uvicorn.server import Server
        except Exception as e:  # noqa: BLE001
            run_native("cannot import uvicorn (%s)" % e)
        umain = sys.modules["uvicorn.main"]
        # Read the options with uvicorn's own command line: its `main` ends in `run(app, **options)`.
        captured = {}

        def capture(app, **options):
            captured["app"], captured["options"] = app, options

        real_run = umain.run
        umain.run = capture
        try:
            code = umain.main.main(args=list(args), prog_name="uvicorn", standalone_mode=False)
        except Exception as e:  # noqa: BLE001  (a usage error: uvicorn prints it properly)
            run_native("cannot read the options (%s)" % e)
        finally:
            umain.run = real_run
        if "app" not in captured:
            sys.exit(code or 0)  # --help, --version
        self.app, options = captured["app"], dict(captured["options"])
        if not options.get("reload"):
            run_native()
        app_dir = options.pop("app_dir", None)
        if app_dir is not None:
            sys.path.insert(0, app_dir)
        self.Config, self.Server = Config, Server
        self.config = Config(self.app, **options)  # this process's view: the directories to watch, the socket
        self.serve_options = {k: v for k, v in options.items() if not k.startswith("reload") and k != "workers"}
        self.includes = list(getattr(self.config, "reload_includes", None) or DEFAULT_INCLUDES)
        self.excludes = list(getattr(self.config, "reload_excludes", None) or DEFAULT_EXCLUDES)
        self.dirs = [str(d) for d in (getattr(self.config, "reload_dirs", None) or [os.getcwd()])]
        self.excluded_dirs = [str(d) for d in getattr(self.config, "reload_dirs_excludes", [])]

    def bind(self):
        return self.config.bind_socket()

    def serve(self, sock, loaded):
        config = self.Config(self.app, **self.serve_options)
        config.load()  # imports the app: the project's modules, and what is not preloaded yet
        loaded()
        server = self.Server(config=config)
        server.run(sockets=[sock])
        return 0 if server.started else 3

    def cleanup(self):
        uds = getattr(self.config, "uds", None)
        if uds and os.path.exists(uds):
            os.remove(uds)


class FlaskServer:
    """`flask run` with the reloader on: `--debug` (before or after `run`), FLASK_DEBUG, `--reload`."""

    name = "Flask"

    def __init__(self, args):
        try:
            import flask.cli as fcli
            import werkzeug.serving as ws
        except Exception as e:  # noqa: BLE001
            run_native("cannot import Flask (%s)" % e)
        if not hasattr(ws, "prepare_socket"):
            run_native("this Werkzeug is older than 2.2")
        # Read the options with Flask's own command line: `run` loads the app (kept for the
        # children: only the ScriptInfo is captured here) and ends in `run_simple(…)`.
        captured = {}
        real_load = fcli.ScriptInfo.load_app

        def lazy_load(info):
            captured["info"] = info
            return lambda environ, start_response: []

        def capture(hostname, port, application, **options):
            captured["run"] = (hostname, port, options)

        # Flask 2.2 calls the name it imported; later versions may import it when running.
        import werkzeug

        holders = [m for m in (fcli, ws, werkzeug) if hasattr(m, "run_simple")]
        real_run = ws.run_simple
        fcli.ScriptInfo.load_app = lazy_load
        for m in holders:
            m.run_simple = capture
        try:
            code = fcli.cli.main(args=list(args), prog_name="flask", standalone_mode=False)
        except Exception as e:  # noqa: BLE001  (a usage error: Flask prints it properly)
            run_native("cannot read the options (%s)" % e)
        finally:
            fcli.ScriptInfo.load_app = real_load
            for m in holders:
                m.run_simple = real_run
        if "run" not in captured:
            sys.exit(code or 0)  # --help, --version, another command
        self.hostname, self.port, options = captured["run"]
        if not options.get("use_reloader"):
            run_native()
        self.info, self.load_app, self.ws = captured["info"], real_load, ws
        extra = [os.path.abspath(f) for f in options.get("extra_files") or []]
        reloading = ("use_reloader", "extra_files", "exclude_patterns", "reloader_type", "reloader_interval")
        self.serve_options = {k: v for k, v in options.items() if k not in reloading}
        self.includes = DEFAULT_INCLUDES + sorted({os.path.basename(f) for f in extra})
        self.excludes = DEFAULT_EXCLUDES + list(options.get("exclude_patterns") or [])
        self.dirs = [os.getcwd()] + sorted({os.path.dirname(f) for f in extra if not under(f, [os.getcwd()])})
        self.excluded_dirs = []

    def bind(self):
        sock = self.ws.prepare_socket(self.hostname, self.port)
        # Werkzeug's banner (where it listens), which its reloader prints before the first child.
        shown = self.ws.BaseWSGIServer(self.hostname, self.port, None, fd=sock.fileno())
        shown.ssl_context = self.serve_options.get("ssl_context")
        shown.log_startup()
        shown.socket.close()  # a duplicate: the socket itself stays open
        return sock

    def serve(self, sock, loaded):
        # Werkzeug's own reloader child: the socket and the startup banner are the parent's.
        os.environ["WERKZEUG_RUN_MAIN"] = "true"
        os.environ["WERKZEUG_SERVER_FD"] = str(sock.fileno())
        try:
            app = self.load_app(self.info)
        except Exception as e:  # noqa: BLE001
            # As Flask's reloader does: print it now, raise it on each request (the debugger shows it).
            traceback.print_exc()
            error = e

            def app(environ, start_response):
                raise error from None

        loaded()
        self.ws.run_simple(self.hostname, self.port, app, use_reloader=False, **self.serve_options)
        return 0

    def cleanup(self):
        pass


class DjangoServer:
    """`manage.py runserver` (or `django-admin`/`python -m django runserver`) without --noreload."""

    name = "Django"
    # Templates and translations reload too: Django's own reloader resets its template loaders and
    # restarts on compiled translations; here both fork a new server.
    INCLUDES = ["*.py", "*.html", "*.mo"]

    def __init__(self, script, args):
        self.script = script
        if not args or args[0] != "runserver" or "--noreload" in args:
            run_native()
        try:
            import django.core.management.commands.runserver as rs
        except Exception as e:  # noqa: BLE001
            run_native("cannot import Django (%s)" % e)
        self.args = list(args[1:])
        self.ipv6 = "--ipv6" in self.args or "-6" in self.args
        addrport = None
        skip = False
        for a in self.args:
            if skip:
                skip = False
            elif a in ("--settings", "--pythonpath", "--verbosity", "-v", "--traceback-limit"):
                skip = True
            elif not a.startswith("-"):
                addrport = a
                break
        self.addr, self.port = "", rs.Command.default_port
        if addrport is not None:
            m = rs.naiveip_re.match(addrport)
            if m is None:
                run_native()  # Django says what is wrong with it
            self.addr, _ipv4, ipv6, _fqdn, self.port = m.groups()
            if ipv6:
                self.addr, self.ipv6 = self.addr[1:-1], True
        if not self.addr:
            self.addr = rs.Command.default_addr_ipv6 if self.ipv6 else rs.Command.default_addr
        # Never configure Django here (a library module that reads a setting would import the
        # project's settings into this process): only the children see DJANGO_SETTINGS_MODULE.
        self.settings = os.environ.pop("DJANGO_SETTINGS_MODULE", None)
        base = os.path.dirname(os.path.abspath(script)) if script else os.getcwd()
        self.includes, self.excludes, self.excluded_dirs = self.INCLUDES, DEFAULT_EXCLUDES, []
        self.dirs = sorted({os.getcwd(), base})

    def bind(self):
        import socket

        sock = socket.socket(socket.AF_INET6 if self.ipv6 else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.addr, int(self.port)))
        sock.listen(128)
        sock.set_inheritable(True)
        return sock

    def serve(self, sock, loaded):
        import runpy
        import socket
        import socketserver

        import django.core.management as management
        import django.core.management.commands.runserver as rs
        import django.core.servers.basehttp as basehttp

        if self.settings is not None:
            os.environ["DJANGO_SETTINGS_MODULE"] = self.settings

        def run(addr, port, wsgi_handler, ipv6=False, threading=False, on_bind=None, server_cls=None, **_):
            # django.core.servers.basehttp.run, on the socket bound once in the reloader.
            server_cls = server_cls or basehttp.WSGIServer
            httpd_cls = type("WSGIServer", (socketserver.ThreadingMixIn, server_cls), {}) if threading else server_cls
            httpd = httpd_cls((addr, port), basehttp.WSGIRequestHandler, ipv6=ipv6, bind_and_activate=False)
            httpd.socket.close()
            httpd.socket = sock
            httpd.server_address = sock.getsockname()
            httpd.server_name = socket.getfqdn(httpd.server_address[0])
            httpd.server_port = httpd.server_address[1]
            httpd.setup_environ()
            if on_bind is not None:
                on_bind(httpd.server_port)
            if threading:
                httpd.daemon_threads = True
            httpd.set_app(wsgi_handler)
            loaded()
            httpd.serve_forever()

        basehttp.run = rs.run = run
        real_fetch = management.ManagementUtility.fetch_command

        def fetch_command(utility, subcommand):
            command = real_fetch(utility, subcommand)
            # Django's server (staticfiles' runserver included); another (daphne, channels) binds its own.
            if subcommand == "runserver" and getattr(type(command), "inner_run", None) is not rs.Command.inner_run:
                raise NativeOnly("runserver here is %s, not Django's own server" % type(command).__module__)
            return command

        management.ManagementUtility.fetch_command = fetch_command
        if self.script:
            sys.argv = [self.script, "runserver", "--noreload"] + self.args
            sys.path[0] = os.path.dirname(os.path.abspath(self.script))  # as `python manage.py` has it
            runpy.run_path(self.script, run_name="__main__")
        else:
            sys.argv = ["django", "runserver", "--noreload"] + self.args
            runpy.run_module("django", run_name="__main__", alter_sys=True)
        return 0

    def cleanup(self):
        pass


def server_for(args):
    """The server a command line runs (everything after the interpreter), or None."""
    if len(args) >= 2 and args[0] == "-m":
        module, rest = args[1], args[2:]
        if module == "uvicorn":
            return UvicornServer(rest)
        if module == "flask":
            return FlaskServer(rest)
        if module == "django":
            return DjangoServer(None, rest)
        return None
    if args and args[0].endswith(".py"):
        return DjangoServer(args[0], args[1:])
    return None


def main():
    if not sys.platform.startswith("linux"):
        run_native("inotify needs Linux")
    server = server_for(ARGS)
    if server is None:
        run_native("no server the fork reloader knows in `%s`" % " ".join(ARGS[:3]))
    try:
        watcher = Watcher(server.dirs, server.includes, server.excludes, server.excluded_dirs)
    except OutOfWatches as e:
        run_native("out of inotify watches at %s (raise fs.inotify.max_user_watches)" % e)
    except OSError as e:
        run_native("cannot watch files (%s)" % e)

    sock = server.bind()
    reloader = Reloader(server, sock, watcher, library_paths())
    reloader.watched = ", ".join(sorted(os.path.relpath(d) for d in server.dirs))
    reloader.run()


class Reloader:
    def __init__(self, server, sock, watcher, libraries):
        self.server = server
        self.sock, self.watcher = sock, watcher
        self.libraries = libraries
        self.current = None
        self.retiring = {}  # pid → when to SIGKILL it
        self.reports = {}  # read end of a child's report pipe → bytes so far
        self.forked = {}  # read end of a child's report pipe → [pid, when it was forked or promoted]
        self.spare = None  # (pid, write end of its go pipe, read end of its report pipe)
        self.pending = None  # the libraries the current server reported, not imported here yet
        self.want_spare = False
        self.background = Background()
        self.stopping = False
        self.native = None  # set when a child found the command needs the server's own reloader
        self.wake = ()
        self.watched = ""

    # ---- the server child -----------------------------------------------------------------------

    def fork_server(self, spare=False):
        """Fork a server. A spare stops before importing the app and waits for `promote`."""
        report_r, report_w = os.pipe()
        try:
            import fcntl

            fcntl.fcntl(report_w, 1031, 1 << 20)  # F_SETPIPE_SZ: the report must never block the child
        except Exception:  # noqa: BLE001
            pass
        go_r, go_w = os.pipe() if spare else (None, None)
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            die_with_parent(parent)
            os.close(report_r)
            if go_w is not None:
                os.close(go_w)
            self.serve(report_w, go_r)  # never returns
        os.close(report_w)
        if go_r is not None:
            os.close(go_r)
        os.set_blocking(report_r, False)
        self.reports[report_r] = b""
        self.forked[report_r] = [pid, time.monotonic()]
        if spare:
            self.spare = (pid, go_w, report_r)
        return pid

    def promote(self):
        """The spare becomes the server: it imports the app now. None when there is no live spare."""
        if self.spare is None:
            return None
        pid, go_w, report_r = self.spare
        self.spare = None
        try:
            os.write(go_w, b"g")
        except OSError:
            return None
        finally:
            os.close(go_w)
        if report_r in self.forked:
            self.forked[report_r][1] = time.monotonic()
        return pid

    def drop_spare(self):
        if self.spare is not None:
            pid, go_w, _ = self.spare
            self.spare = None
            os.close(go_w)  # it reads EOF and exits
            self.retiring[pid] = time.monotonic() + RETIRE_GRACE

    def serve(self, report_w, go_r):
        code = 1
        try:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            signal.set_wakeup_fd(-1)
            self.watcher.close()
            for fd in [*self.reports, *self.wake] + ([self.spare[1]] if self.spare else []):
                os.close(fd)
            if go_r is not None:
                # A spare: the fork, and under debugpy the new process's attach, are done ahead of
                # the change; the app is imported only once promoted, so it sees the saved files.
                if os.read(go_r, 1) != b"g":
                    os._exit(0)
                os.close(go_r)
                importlib.invalidate_caches()
            before = set(sys.modules)

            def loaded():
                """The app is imported: report the libraries that came with it (once)."""
                names = [
                    n
                    for n, m in list(sys.modules.items())
                    if n not in before
                    and m is not None
                    and not n.startswith(DEBUGGER_MODULES)
                    and is_library_module(m, self.libraries)
                ]
                self.report(report_w, "\n".join(["loaded"] + names))

            code = self.server.serve(self.sock, loaded)
        except NativeOnly as e:
            self.report(report_w, "native\n%s" % e)
            signal.pause()  # until the parent stops it and runs the server's own reloader
            code = 4
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:  # noqa: BLE001
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def report(self, report_w, text):
        try:
            os.write(report_w, text.encode())
            os.close(report_w)
        except OSError:
            pass  # reported already

    # ---- this process ---------------------------------------------------------------------------

    def preload(self, data):
        """Import the libraries a server imported (not the project's modules), so the next one has them."""
        names = [n for n in data.decode(errors="replace").split("\n") if n and n not in sys.modules]
        if not names:
            return 0
        started = time.monotonic()
        tracing = untraced()
        try:
            for name in names:
                try:
                    importlib.import_module(name)
                except (Exception, SystemExit):  # noqa: BLE001  (not importable by that name: fine)
                    pass
        finally:
            tracing()
        say("imported %d library modules here in %.1f s; the next reloads skip them" % (len(names), time.monotonic() - started))
        return len(names)

    def on_signal(self, signum, _frame):
        if signum in (signal.SIGTERM, signal.SIGINT):
            self.stopping = True

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.retiring.pop(pid, None)
            if self.spare is not None and pid == self.spare[0]:
                os.close(self.spare[1])
                self.spare = None
            if pid == self.current:
                self.current = None
                if not self.stopping:
                    code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status
                    say("the server process exited (%s); waiting for a change to start it again" % code)

    def retire(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        self.retiring[pid] = time.monotonic() + RETIRE_GRACE

    def kill_overdue(self):
        now = time.monotonic()
        for pid, deadline in list(self.retiring.items()):
            if now >= deadline:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.retiring[pid] = now + 3600

    def read_reports(self, ready):
        for fd in [f for f in self.reports if f in ready]:
            try:
                chunk = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if chunk:
                self.reports[fd] += chunk
                continue
            data = self.reports.pop(fd)
            pid, forked = self.forked.pop(fd)
            os.close(fd)
            if data.startswith(b"native\n"):
                self.stopping = True
                self.native = data[len(b"native\n") :].decode(errors="replace")
                continue
            if not data.startswith(b"loaded"):
                continue  # it died before loading the app: reap() says so
            say("server process %d loaded the app in %d ms" % (pid, (time.monotonic() - forked) * 1000))
            if pid == self.current and not self.stopping:
                # Not at once: the server (and maybe a whole stack) is still starting.
                self.pending = data[len(b"loaded") :]
                self.want_spare = True
                self.background.start()

    def import_pending(self):
        if self.pending is not None:
            data, self.pending = self.pending, None
            if self.preload(data):
                self.drop_spare()  # forked before those libraries were imported here

    def background_step(self):
        """One piece of deferred work per calm tick: the imports, then the spare."""
        if self.pending is not None:
            self.import_pending()
        elif self.want_spare:
            self.want_spare = False
            if self.spare is None and self.current is not None:
                self.fork_server(spare=True)
        if self.pending is None and not self.want_spare:
            self.background.stop()

    def describe(self, changed):
        if "*" in changed:
            return "many files (the event queue overflowed)"
        shown = sorted({os.path.relpath(p) for p in changed})
        return "'%s'%s" % (shown[0], " and %d more" % (len(shown) - 1) if len(shown) > 1 else "")

    def run(self):
        wake_r, wake_w = self.wake = os.pipe()
        for fd in (wake_r, wake_w):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(wake_w)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.on_signal)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        say(
            "watching %s; a change forks a new %s server process, with the libraries already imported"
            % (self.watched, self.server.name)
        )
        self.current = self.fork_server()
        while not self.stopping:
            timeout = 0.5 if self.retiring else None
            wait = self.background.wait()
            if wait is not None:
                timeout = min(timeout or 3600.0, wait)
            ready = select.select([wake_r, self.watcher.fd] + list(self.reports), [], [], timeout)[0]
            if wake_r in ready:
                try:
                    os.read(wake_r, 512)
                except BlockingIOError:
                    pass
            self.reap()
            self.kill_overdue()
            if self.stopping:
                break
            self.read_reports(ready)
            if self.background.tick_due() and not ready and self.background.calm():
                self.background_step()
            changed = self.watcher.read() if self.watcher.fd in ready else []
            if changed:
                # One reload for a burst (a sync batch, a branch switch): read on until a short quiet spell.
                end = time.monotonic() + SETTLE_CAP
                while time.monotonic() < end and select.select([self.watcher.fd], [], [], SETTLE)[0]:
                    changed += self.watcher.read()
                self.import_pending()  # untraced here, and once for every later reload
                new = self.promote() or self.fork_server()
                if self.current is not None:
                    self.retire(self.current)  # the new child accepts on the same socket meanwhile
                self.current = new
                say("%s changed; reloading (server process %d)" % (self.describe(changed), new))
        self.shutdown()

    def shutdown(self):
        self.drop_spare()
        pids = [p for p in [self.current, *self.retiring] if p is not None]
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 8
        for pid in pids:
            while True:
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)
        self.server.cleanup()
        if self.native is not None:
            self.sock.close()
            run_native(self.native)
        sys.exit(0)


main()
