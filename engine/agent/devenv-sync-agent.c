/*
 * devenv-sync-agent: the in-container half of devenv's live file sync.
 *
 * Runs as `devenv-sync-agent` under one long-lived `docker exec -i` (or `kubectl exec -i`).
 * It reads length-prefixed request frames on stdin, applies them under one or more target
 * roots, and writes response records on stdout. The framing is defined once more, for the
 * host side, in engine/src/sync/framing.ts; keep the two in step (PROTOCOL_VERSION).
 *
 * Safety: every path is relative to a root directory fd. Absolute paths, empty, "." and ".."
 * components are refused. A parent directory is opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) where the kernel has it (5.6+), else one component at a time with
 * openat(O_NOFOLLOW | O_DIRECTORY): a symlink planted in the container never leads a write,
 * chmod or delete outside the root, and a parent swapped for a symlink mid-write only ever
 * holds the directory that was opened. Files are written to a temporary name in the same
 * directory and renamed into place; a write cut short by EOF removes its temporary file, and
 * listings never show one. setuid, setgid and sticky bits are never set. Deleting a tree uses
 * a bounded stack of directory fds, not recursion, so a 100,000-deep tree cannot overflow it.
 *
 * Plain POSIX + Linux *at() calls (openat2 through syscall(2)), so it links statically
 * against glibc or musl.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define PROTOCOL_VERSION 1
#define AGENT_VERSION "devenv-sync-agent 1"

enum {
  OP_HELLO = 1,
  OP_ROOT = 2,
  OP_WRITE = 3,
  OP_MKDIR = 4,
  OP_SYMLINK = 5,
  OP_DELETE = 6,
  OP_LIST = 7,
  OP_HASH = 8,
  OP_COMMIT = 9,
  OP_QUIT = 10,
};

enum { FLAG_FSYNC = 1, FLAG_MTIME = 2, FLAG_LIST_HASH = 1, FLAG_ROOT_CREATE = 1 };

enum { REC_ENTRY = 1, REC_ERROR = 2, REC_ACK = 3, REC_HASH = 4, REC_HELLO = 5 };

enum { KIND_FILE = 1, KIND_DIR = 2, KIND_SYMLINK = 3, KIND_OTHER = 4 };

/* Our own error codes above errno's range, for refusals that are policy, not the kernel's. */
#define E_BADPATH 10001  /* absolute, empty, "." or ".." component, NUL byte, too long */
#define E_SYMLINK 10002  /* a path component is a symlink in the container */
#define E_BADROOT 10003  /* unknown root id */
#define E_LINKOUT 10004  /* symlink target would leave the root */
#define E_BADOP 10005

#define REQ_HEADER 32
#define REC_HEADER 60
#define MAX_PATH 4096
#define MAX_ROOTS 64

/* ---------- buffered stdin / stdout ---------- */

static unsigned char inbuf[1 << 18];
static size_t in_pos = 0, in_len = 0;

static int read_exact(void *dst, size_t n) {
  unsigned char *d = dst;
  while (n > 0) {
    if (in_pos == in_len) {
      ssize_t r = read(0, inbuf, sizeof inbuf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return -1;
      in_pos = 0;
      in_len = (size_t)r;
    }
    size_t take = in_len - in_pos < n ? in_len - in_pos : n;
    memcpy(d, inbuf + in_pos, take);
    in_pos += take;
    d += take;
    n -= take;
  }
  return 0;
}

/* Hand out up to `max` buffered input bytes without copying (refills when empty). */
static ssize_t read_some(const unsigned char **ptr, size_t max) {
  if (in_pos == in_len) {
    ssize_t r;
    do r = read(0, inbuf, sizeof inbuf);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return -1;
    in_pos = 0;
    in_len = (size_t)r;
  }
  size_t take = in_len - in_pos < max ? in_len - in_pos : max;
  *ptr = inbuf + in_pos;
  in_pos += take;
  return (ssize_t)take;
}

static int skip_bytes(uint64_t n) {
  while (n > 0) {
    const unsigned char *p;
    ssize_t r = read_some(&p, n > (1u << 20) ? (1u << 20) : (size_t)n);
    if (r < 0) return -1;
    n -= (uint64_t)r;
  }
  return 0;
}

static unsigned char outbuf[1 << 18];
static size_t out_len = 0;

static void flush_out(void) {
  size_t off = 0;
  while (off < out_len) {
    ssize_t w = write(1, outbuf + off, out_len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(3);
    off += (size_t)w;
  }
  out_len = 0;
}

static void out_bytes(const void *src, size_t n) {
  const unsigned char *s = src;
  while (n > 0) {
    if (out_len == sizeof outbuf) flush_out();
    size_t room = sizeof outbuf - out_len;
    size_t take = n < room ? n : room;
    memcpy(outbuf + out_len, s, take);
    out_len += take;
    s += take;
    n -= take;
  }
}

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u16(const unsigned char *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* Record: u8 type, u8 kind, u16 reserved, u32 seq, u32 mode, i32 err, u64 size, i64 mtimeNs,
 * u32 pathLen, u32 extraLen, u8 hash[20]; then path bytes, then extra bytes. */
static void emit(int type, int kind, uint32_t seq, uint32_t mode, int32_t err, uint64_t size, int64_t mtime_ns,
                 const char *path, size_t path_len, const void *extra, size_t extra_len, const unsigned char *hash) {
  unsigned char h[REC_HEADER];
  memset(h, 0, sizeof h);
  h[0] = (unsigned char)type;
  h[1] = (unsigned char)kind;
  put_u32(h + 4, seq);
  put_u32(h + 8, mode);
  put_u32(h + 12, (uint32_t)err);
  put_u64(h + 16, size);
  put_u64(h + 24, (uint64_t)mtime_ns);
  put_u32(h + 32, (uint32_t)path_len);
  put_u32(h + 36, (uint32_t)extra_len);
  if (hash) memcpy(h + 40, hash, 20);
  out_bytes(h, sizeof h);
  if (path_len) out_bytes(path, path_len);
  if (extra_len) out_bytes(extra, extra_len);
}

static uint32_t batch_ops = 0, batch_errors = 0;

static void emit_error(uint32_t seq, int32_t err, const char *path, size_t path_len, const char *what) {
  batch_errors++;
  emit(REC_ERROR, 0, seq, 0, err, 0, 0, path, path_len, what, strlen(what), NULL);
}

/* ---------- SHA-1 (for reconcile: host and container compare content hashes) ---------- */

typedef struct {
  uint32_t h[5];
  uint64_t len;
  unsigned char buf[64];
  size_t n;
} sha1_ctx;

#define ROL(v, s) (((v) << (s)) | ((v) >> (32 - (s))))

static void sha1_block(sha1_ctx *c, const unsigned char *p) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) | ((uint32_t)p[4 * i + 2] << 8) | p[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) f = (b & cc) | (~b & d), k = 0x5A827999;
    else if (i < 40) f = b ^ cc ^ d, k = 0x6ED9EBA1;
    else if (i < 60) f = (b & cc) | (b & d) | (cc & d), k = 0x8F1BBCDC;
    else f = b ^ cc ^ d, k = 0xCA62C1D6;
    uint32_t t = ROL(a, 5) + f + e + k + w[i];
    e = d;
    d = cc;
    cc = ROL(b, 30);
    b = a;
    a = t;
  }
  c->h[0] += a;
  c->h[1] += b;
  c->h[2] += cc;
  c->h[3] += d;
  c->h[4] += e;
}

static void sha1_init(sha1_ctx *c) {
  c->h[0] = 0x67452301;
  c->h[1] = 0xEFCDAB89;
  c->h[2] = 0x98BADCFE;
  c->h[3] = 0x10325476;
  c->h[4] = 0xC3D2E1F0;
  c->len = 0;
  c->n = 0;
}

static void sha1_update(sha1_ctx *c, const unsigned char *p, size_t n) {
  c->len += n;
  if (c->n) {
    size_t take = 64 - c->n < n ? 64 - c->n : n;
    memcpy(c->buf + c->n, p, take);
    c->n += take;
    p += take;
    n -= take;
    if (c->n == 64) {
      sha1_block(c, c->buf);
      c->n = 0;
    }
  }
  while (n >= 64) {
    sha1_block(c, p);
    p += 64;
    n -= 64;
  }
  if (n) {
    memcpy(c->buf, p, n);
    c->n = n;
  }
}

static void sha1_final(sha1_ctx *c, unsigned char out[20]) {
  uint64_t bits = c->len * 8;
  unsigned char pad = 0x80, zero = 0, lenb[8];
  sha1_update(c, &pad, 1);
  while (c->n != 56) sha1_update(c, &zero, 1);
  for (int i = 0; i < 8; i++) lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha1_update(c, lenb, 8);
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (unsigned char)(c->h[i] >> 24);
    out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
    out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
    out[4 * i + 3] = (unsigned char)c->h[i];
  }
}

static unsigned char filebuf[1 << 16];

static int hash_fd(int fd, unsigned char out[20]) {
  sha1_ctx c;
  sha1_init(&c);
  for (;;) {
    ssize_t r = read(fd, filebuf, sizeof filebuf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    sha1_update(&c, filebuf, (size_t)r);
  }
  sha1_final(&c, out);
  return 0;
}

/* ---------- paths ---------- */

static int roots[MAX_ROOTS];
static int nroots = 0;
static unsigned long tmp_counter = 0;

/* Splits `path` (NUL-terminated, validated) in place into components; returns the count. */
static int validate_path(char *path, size_t len, char **comps, int max) {
  if (len == 0 || len > MAX_PATH || path[0] == '/' || memchr(path, 0, len) != NULL) return -1;
  int n = 0;
  char *s = path;
  for (;;) {
    char *slash = strchr(s, '/');
    if (slash) *slash = 0;
    if (*s == 0 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return -1;
    if (n == max) return -1;
    comps[n++] = s;
    if (!slash) break;
    s = slash + 1;
  }
  return n;
}

static int kind_of(mode_t m) {
  if (S_ISREG(m)) return KIND_FILE;
  if (S_ISDIR(m)) return KIND_DIR;
  if (S_ISLNK(m)) return KIND_SYMLINK;
  return KIND_OTHER;
}

#define DELETE_DEPTH 64

/* A unique temporary name (also used to park deep subtrees while deleting). */
static void tmp_name(char *buf, size_t n) {
  snprintf(buf, n, ".devenv-sync.%ld.%lu.tmp", (long)getpid(), ++tmp_counter);
}

static int is_tmp_name(const char *name) {
  size_t len = strlen(name);
  return strncmp(name, ".devenv-sync.", 13) == 0 && len > 17 && strcmp(name + len - 4, ".tmp") == 0;
}

/*
 * Removes `name` under dirfd, never following a symlink and without recursion: at most
 * DELETE_DEPTH directories are open at once; a subtree deeper than that is renamed (renameat
 * works on the entry itself, never through a link) to a temporary name directly inside the
 * directory being removed, and removed from there on a later pass.
 */
static int remove_tree_at(int parent, const char *name) {
  struct stat st;
  if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR(st.st_mode)) return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -1 : 0;
  if (unlinkat(parent, name, AT_REMOVEDIR) == 0) return 0;
  if (errno != ENOTEMPTY && errno != EEXIST) return -1;
  DIR *stack[DELETE_DEPTH];
  char names[DELETE_DEPTH][NAME_MAX + 1];
  int progress[DELETE_DEPTH]; /* entries removed or parked in this pass over the directory */
  int sp = 0, rc = 0;
  int top = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (top < 0) return -1;
  stack[0] = fdopendir(top);
  if (!stack[0]) {
    close(top);
    return -1;
  }
  progress[0] = 0;
  while (sp >= 0) {
    DIR *d = stack[sp];
    int fd = dirfd(d);
    struct dirent *e = readdir(d);
    if (e == NULL) {
      /* readdir may miss entries of a directory that changes under it (and parked subtrees
       * land in the top one): pass again while a pass still removed something. */
      if (progress[sp]) {
        progress[sp] = 0;
        rewinddir(d);
        continue;
      }
      closedir(d);
      sp--;
      if (sp >= 0) {
        if (unlinkat(dirfd(stack[sp]), names[sp + 1], AT_REMOVEDIR) == 0) progress[sp] = 1;
        else if (errno != ENOENT) rc = -1;
      }
      continue;
    }
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (!S_ISDIR(st.st_mode)) {
      if (unlinkat(fd, e->d_name, 0) == 0) progress[sp] = 1;
      else if (errno != ENOENT) rc = -1;
      continue;
    }
    if (unlinkat(fd, e->d_name, AT_REMOVEDIR) == 0) {
      progress[sp] = 1;
      continue;
    }
    if (errno == ENOENT) continue;
    if (sp + 1 >= DELETE_DEPTH) {
      char parked[96];
      tmp_name(parked, sizeof parked);
      if (renameat(fd, e->d_name, dirfd(stack[0]), parked) == 0) progress[sp] = progress[0] = 1;
      else rc = -1;
      continue;
    }
    int sub = openat(fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *sd = sub < 0 ? NULL : fdopendir(sub);
    if (!sd) {
      if (sub >= 0) close(sub);
      rc = -1;
      continue;
    }
    sp++;
    stack[sp] = sd;
    progress[sp] = 0;
    snprintf(names[sp], sizeof names[sp], "%s", e->d_name);
  }
  if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT) rc = -1;
  return rc;
}

/* openat2(2) and its flags, declared here: static builds may lack <linux/openat2.h>. */
struct devenv_open_how {
  uint64_t flags, mode, resolve;
};
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#define DEVENV_RESOLVE_NO_MAGICLINKS 0x02
#define DEVENV_RESOLVE_NO_SYMLINKS 0x04
#define DEVENV_RESOLVE_BENEATH 0x08

static int have_openat2 = 1;

/*
 * Opens the directory `comps[0..n-2]` beneath root in one call, refusing any symlink on the
 * way and any escape. -1 with errno ENOSYS when the kernel (or a seccomp filter) lacks it.
 */
static int openat2_parent(int root, char **comps, int n) {
  if (!have_openat2) {
    errno = ENOSYS;
    return -1;
  }
  if (n <= 1) return dup(root);
  char joined[MAX_PATH + 1];
  size_t len = 0;
  for (int i = 0; i < n - 1; i++) {
    size_t l = strlen(comps[i]);
    if (len + l + 2 > sizeof joined) {
      errno = ENAMETOOLONG;
      return -1;
    }
    if (i) joined[len++] = '/';
    memcpy(joined + len, comps[i], l);
    len += l;
  }
  joined[len] = 0;
  struct devenv_open_how how = {O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0,
                                DEVENV_RESOLVE_BENEATH | DEVENV_RESOLVE_NO_SYMLINKS | DEVENV_RESOLVE_NO_MAGICLINKS};
  long fd = syscall(SYS_openat2, root, joined, &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG)) {
    have_openat2 = 0; /* old kernel, or a seccomp profile without it: walk from now on */
    errno = ENOSYS;
  }
  return (int)fd;
}

/*
 * Opens the directory that holds the last component of a validated path, walking one
 * component at a time with O_NOFOLLOW. With `create`, missing directories are made (0755)
 * and a regular file standing where a directory must be is replaced; a symlink never is:
 * that is refused with E_SYMLINK. Returns the fd, or -1 with *err set.
 */
static int open_parent(int root, char **comps, int n, int create, int *err) {
  int fast = openat2_parent(root, comps, n);
  if (fast >= 0) return fast;
  if (errno == ELOOP) {
    *err = E_SYMLINK;
    return -1;
  }
  if (errno == EXDEV) {
    *err = E_BADPATH;
    return -1;
  }
  if (errno != ENOSYS && !(create && (errno == ENOENT || errno == ENOTDIR))) {
    *err = errno;
    return -1;
  }
  /* No openat2, or directories to make: one component at a time, never following a link. */
  int fd = dup(root);
  if (fd < 0) {
    *err = errno;
    return -1;
  }
  for (int i = 0; i < n - 1; i++) {
    int next = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      int e = errno;
      struct stat st;
      if (fstatat(fd, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
          *err = E_SYMLINK;
          close(fd);
          return -1;
        }
        if (!S_ISDIR(st.st_mode) && create) {
          if (unlinkat(fd, comps[i], 0) < 0) e = errno;
          else e = ENOENT;
        }
      }
      if (e == ENOENT && create) {
        if (mkdirat(fd, comps[i], 0755) < 0 && errno != EEXIST) {
          *err = errno;
          close(fd);
          return -1;
        }
        next = openat(fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) {
          *err = errno == ELOOP ? E_SYMLINK : errno;
          close(fd);
          return -1;
        }
      } else {
        *err = e == ELOOP ? E_SYMLINK : e;
        close(fd);
        return -1;
      }
    }
    close(fd);
    fd = next;
  }
  return fd;
}

/* Puts `tmp` (in dirfd) in place of `name`: a directory standing there is removed first.
 * rename(2) replaces a file or symlink atomically and fails on a directory, so the common
 * case costs one syscall. */
static int replace_with(int dirfd, const char *tmp, const char *name) {
  if (renameat(dirfd, tmp, dirfd, name) < 0) {
    if (errno != EISDIR && errno != ENOTEMPTY && errno != EEXIST) return -1;
    if (remove_tree_at(dirfd, name) < 0) return -1;
    if (renameat(dirfd, tmp, dirfd, name) < 0) return -1;
  }
  return 0;
}

static void set_times(int fd, int64_t mtime_ns) {
  struct timespec ts[2];
  ts[0].tv_sec = 0;
  ts[0].tv_nsec = UTIME_OMIT;
  ts[1].tv_sec = (time_t)(mtime_ns / 1000000000LL);
  ts[1].tv_nsec = (long)(mtime_ns % 1000000000LL);
  if (ts[1].tv_nsec < 0) {
    ts[1].tv_nsec += 1000000000L;
    ts[1].tv_sec -= 1;
  }
  futimens(fd, ts);
}

/* ---------- ops ---------- */

typedef struct {
  int op, flags, root_id;
  uint32_t seq, mode;
  uint32_t path_len;
  uint64_t data_len;
  int64_t mtime_ns;
  char path[MAX_PATH + 1];
  char raw_path[MAX_PATH + 1];
} request;

static int root_fd(request *r, int *err) {
  if (r->root_id < 0 || r->root_id >= nroots) {
    *err = E_BADROOT;
    return -1;
  }
  return roots[r->root_id];
}

static void fail(request *r, int err, const char *what) { emit_error(r->seq, err, r->raw_path, r->path_len, what); }

static void op_write(request *r, char **comps, int n) {
  int err = 0, root = root_fd(r, &err);
  int dirfd = root < 0 ? -1 : open_parent(root, comps, n, 1, &err);
  if (dirfd < 0) {
    skip_bytes(r->data_len);
    fail(r, err, "open parent");
    return;
  }
  char tmp[96];
  tmp_name(tmp, sizeof tmp);
  int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    err = errno;
    skip_bytes(r->data_len);
    close(dirfd);
    fail(r, err, "create temp");
    return;
  }
  uint64_t left = r->data_len;
  int werr = 0;
  while (left > 0) {
    const unsigned char *p;
    ssize_t got = read_some(&p, left > (1u << 20) ? (1u << 20) : (size_t)left);
    if (got < 0) {
      /* The host went away mid-frame: leave no half-written temporary file behind. */
      close(fd);
      unlinkat(dirfd, tmp, 0);
      flush_out();
      _exit(2);
    }
    left -= (uint64_t)got;
    size_t off = 0;
    while (!werr && off < (size_t)got) {
      ssize_t w = write(fd, p + off, (size_t)got - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) werr = errno;
      else off += (size_t)w;
    }
  }
  /* Permission bits only: a synced file never becomes setuid, setgid or sticky. */
  if (!werr && fchmod(fd, r->mode & 0777) < 0) werr = errno;
  if (!werr && (r->flags & FLAG_MTIME)) set_times(fd, r->mtime_ns);
  if (!werr && (r->flags & FLAG_FSYNC) && fsync(fd) < 0) werr = errno;
  close(fd);
  if (werr) {
    unlinkat(dirfd, tmp, 0);
    close(dirfd);
    fail(r, werr, "write");
    return;
  }
  if (replace_with(dirfd, tmp, comps[n - 1]) < 0) {
    err = errno;
    unlinkat(dirfd, tmp, 0);
    fail(r, err, "rename into place");
  }
  close(dirfd);
}

static void op_mkdir(request *r, char **comps, int n) {
  int err = 0, root = root_fd(r, &err);
  int dirfd = root < 0 ? -1 : open_parent(root, comps, n, 1, &err);
  if (dirfd < 0) {
    fail(r, err, "open parent");
    return;
  }
  const char *name = comps[n - 1];
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) unlinkat(dirfd, name, 0);
  if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST) {
    fail(r, errno, "mkdir");
    close(dirfd);
    return;
  }
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    fail(r, errno == ELOOP ? E_SYMLINK : errno, "open dir");
  } else {
    if (fchmod(fd, r->mode & 0777) < 0) fail(r, errno, "chmod");
    if (r->flags & FLAG_MTIME) set_times(fd, r->mtime_ns);
    close(fd);
  }
  close(dirfd);
}

/*
 * A link's target may not climb above the root: `depth` is how deep the link itself sits.
 * `..` may only lead the target: after a name, which may itself be a link (`d/l3 -> ..`), the
 * kernel climbs from wherever that link led, so `d/l4 -> l3/../..` would leave the root.
 */
static int link_stays_inside(const char *target, size_t len, int depth) {
  if (len == 0 || target[0] == '/' || memchr(target, 0, len) != NULL) return 0;
  int level = depth, named = 0;
  const char *s = target, *end = target + len;
  while (s < end) {
    const char *slash = memchr(s, '/', (size_t)(end - s));
    size_t clen = slash ? (size_t)(slash - s) : (size_t)(end - s);
    if (clen == 2 && s[0] == '.' && s[1] == '.') {
      if (named || --level < 0) return 0;
    } else if (!(clen == 0 || (clen == 1 && s[0] == '.'))) {
      named = 1;
    }
    s += clen + 1;
  }
  return 1;
}

static char linkbuf[MAX_PATH + 1];

static void op_symlink(request *r, char **comps, int n) {
  if (r->data_len > MAX_PATH) {
    skip_bytes(r->data_len);
    fail(r, E_BADPATH, "link target too long");
    return;
  }
  if (read_exact(linkbuf, (size_t)r->data_len) < 0) _exit(2);
  linkbuf[r->data_len] = 0;
  if (!link_stays_inside(linkbuf, (size_t)r->data_len, n - 1)) {
    fail(r, E_LINKOUT, "symlink target leaves the root");
    return;
  }
  int err = 0, root = root_fd(r, &err);
  int dirfd = root < 0 ? -1 : open_parent(root, comps, n, 1, &err);
  if (dirfd < 0) {
    fail(r, err, "open parent");
    return;
  }
  char tmp[96];
  tmp_name(tmp, sizeof tmp);
  if (symlinkat(linkbuf, dirfd, tmp) < 0) {
    fail(r, errno, "symlink");
  } else if (replace_with(dirfd, tmp, comps[n - 1]) < 0) {
    err = errno;
    unlinkat(dirfd, tmp, 0);
    fail(r, err, "rename into place");
  }
  close(dirfd);
}

static void op_delete(request *r, char **comps, int n) {
  int err = 0, root = root_fd(r, &err);
  int dirfd = root < 0 ? -1 : open_parent(root, comps, n, 0, &err);
  if (dirfd < 0) {
    /* A missing parent (or a file where a parent was) means the path is already gone. */
    if (err != ENOENT && err != ENOTDIR) fail(r, err, "open parent");
    return;
  }
  if (remove_tree_at(dirfd, comps[n - 1]) < 0) fail(r, errno, "remove");
  close(dirfd);
}

static void op_hash(request *r, char **comps, int n) {
  int err = 0, root = root_fd(r, &err);
  int dirfd = root < 0 ? -1 : open_parent(root, comps, n, 0, &err);
  if (dirfd < 0) {
    emit(REC_HASH, 0, r->seq, 0, err, 0, 0, r->raw_path, r->path_len, NULL, 0, NULL);
    return;
  }
  int fd = openat(dirfd, comps[n - 1], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  unsigned char h[20];
  struct stat st;
  if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || hash_fd(fd, h) < 0) {
    err = fd < 0 ? errno : EINVAL;
    emit(REC_HASH, 0, r->seq, 0, err ? err : EINVAL, 0, 0, r->raw_path, r->path_len, NULL, 0, NULL);
  } else {
    emit(REC_HASH, KIND_FILE, r->seq, (uint32_t)st.st_mode, 0, (uint64_t)st.st_size, 0, r->raw_path, r->path_len,
         NULL, 0, h);
  }
  if (fd >= 0) close(fd);
  close(dirfd);
}

/* ---------- listing ---------- */

static char *prune[256];
static int nprune = 0;
static char prunebuf[1 << 16];

/* A prune entry is a basename ("node_modules": skipped at any depth) or, with a leading
 * slash, one exact path relative to the root ("/build/cache"). */
static int pruned(const char *name, const char *rel) {
  for (int i = 0; i < nprune; i++) {
    if (prune[i][0] == '/' ? strcmp(prune[i] + 1, rel) == 0 : strcmp(prune[i], name) == 0) return 1;
  }
  return 0;
}

static char listpath[MAX_PATH * 2];

static void list_dir(int dirfd, size_t plen, uint32_t seq, int with_hash, int depth) {
  int fd = dup(dirfd);
  if (fd < 0) return;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return;
  }
  rewinddir(d); /* dup() shares the offset: a root fd listed before sits at its end */
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    if (is_tmp_name(name)) continue; /* a write in flight, or one cut short: never a real file */
    size_t nlen = strlen(name);
    if (plen + nlen + 2 > sizeof listpath) continue;
    size_t base = plen;
    if (plen) listpath[base++] = '/';
    memcpy(listpath + base, name, nlen);
    size_t full = base + nlen;
    listpath[full] = 0;
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    int kind = kind_of(st.st_mode);
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if (kind == KIND_SYMLINK) {
      ssize_t l = readlinkat(dirfd, name, linkbuf, MAX_PATH);
      if (l < 0) l = 0;
      emit(REC_ENTRY, kind, seq, (uint32_t)st.st_mode, 0, (uint64_t)st.st_size, mt, listpath, full, linkbuf, (size_t)l,
           NULL);
    } else if (kind == KIND_FILE && with_hash) {
      unsigned char h[20];
      int ffd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
      int ok = ffd >= 0 && hash_fd(ffd, h) == 0;
      if (ffd >= 0) close(ffd);
      emit(REC_ENTRY, kind, seq, (uint32_t)st.st_mode, ok ? 0 : EIO, (uint64_t)st.st_size, mt, listpath, full, NULL, 0,
           ok ? h : NULL);
    } else {
      emit(REC_ENTRY, kind, seq, (uint32_t)st.st_mode, 0, (uint64_t)st.st_size, mt, listpath, full, NULL, 0, NULL);
    }
    if (kind == KIND_DIR && !pruned(name, listpath) && depth < 512) {
      int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        list_dir(sub, full, seq, with_hash, depth + 1);
        close(sub);
      }
    }
    listpath[plen] = 0;
  }
  closedir(d);
}

static void op_list(request *r, char **comps, int n) {
  nprune = 0;
  if (r->data_len >= sizeof prunebuf) {
    skip_bytes(r->data_len);
  } else {
    if (read_exact(prunebuf, (size_t)r->data_len) < 0) _exit(2);
    prunebuf[r->data_len] = 0;
    char *s = prunebuf, *end = prunebuf + r->data_len;
    while (s < end && nprune < 256) {
      if (*s) prune[nprune++] = s;
      s += strlen(s) + 1;
    }
  }
  int err = 0, root = root_fd(r, &err);
  if (root < 0) {
    fail(r, err, "list");
    return;
  }
  int dirfd;
  size_t plen = 0;
  if (n == 0) {
    dirfd = dup(root);
  } else {
    int parent = open_parent(root, comps, n, 0, &err);
    if (parent < 0) {
      if (err != ENOENT && err != ENOTDIR) fail(r, err, "list");
      return;
    }
    dirfd = openat(parent, comps[n - 1], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(parent);
    memcpy(listpath, r->raw_path, r->path_len);
    plen = r->path_len;
  }
  listpath[plen] = 0;
  if (dirfd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) fail(r, errno, "list");
    return;
  }
  list_dir(dirfd, plen, r->seq, r->flags & FLAG_LIST_HASH, 0);
  close(dirfd);
}

/* Makes the absolute directory `path` exist (like mkdir -p) and opens it. The root itself is
 * the one path the host chooses freely, so it is the one path that may pass through symlinks. */
static int open_root(char *path, int create) {
  if (path[0] != '/') {
    errno = E_BADPATH;
    return -1;
  }
  if (create) {
    for (char *p = path + 1; *p; p++) {
      if (*p != '/') continue;
      *p = 0;
      mkdir(path, 0755);
      *p = '/';
    }
    mkdir(path, 0755);
  }
  return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("%s (protocol %d)\n", AGENT_VERSION, PROTOCOL_VERSION);
    return 0;
  }
  static request req; /* two 4 kB paths: kept off the stack */
  request *r = &req;
  char *comps[MAX_PATH / 2];
  for (;;) {
    unsigned char h[REQ_HEADER];
    if (read_exact(h, sizeof h) < 0) break;
    r->op = h[0];
    r->flags = h[1];
    r->root_id = (int)get_u16(h + 2);
    r->seq = get_u32(h + 4);
    r->mode = get_u32(h + 8);
    r->path_len = get_u32(h + 12);
    r->data_len = get_u64(h + 16);
    r->mtime_ns = (int64_t)get_u64(h + 24);
    if (r->path_len > MAX_PATH) {
      if (skip_bytes(r->path_len) < 0 || skip_bytes(r->data_len) < 0) break;
      r->raw_path[0] = 0;
      r->path_len = 0;
      fail(r, E_BADPATH, "path too long");
      continue;
    }
    if (read_exact(r->path, r->path_len) < 0) break;
    r->path[r->path_len] = 0;
    memcpy(r->raw_path, r->path, r->path_len + 1);
    batch_ops++;

    int n = 0;
    int needs_path = r->op == OP_WRITE || r->op == OP_MKDIR || r->op == OP_SYMLINK || r->op == OP_DELETE ||
                     r->op == OP_HASH || (r->op == OP_LIST && r->path_len > 0);
    if (needs_path) {
      n = validate_path(r->path, r->path_len, comps, (int)(sizeof comps / sizeof comps[0]));
      if (n <= 0) {
        if (skip_bytes(r->data_len) < 0) break;
        if (r->op == OP_HASH) emit(REC_HASH, 0, r->seq, 0, E_BADPATH, 0, 0, r->raw_path, r->path_len, NULL, 0, NULL);
        else fail(r, E_BADPATH, "refused path (absolute, empty, '.' or '..' component)");
        continue;
      }
    }
    switch (r->op) {
      case OP_HELLO:
        if (skip_bytes(r->data_len) < 0) return 2;
        emit(REC_HELLO, 0, r->seq, PROTOCOL_VERSION, 0, 0, 0, NULL, 0, AGENT_VERSION, strlen(AGENT_VERSION), NULL);
        flush_out();
        break;
      case OP_ROOT: {
        if (skip_bytes(r->data_len) < 0) return 2;
        int fd = nroots < MAX_ROOTS ? open_root(r->path, r->flags & FLAG_ROOT_CREATE) : -1;
        int e = fd < 0 ? (nroots >= MAX_ROOTS ? E_BADROOT : errno) : 0;
        if (fd >= 0) roots[nroots++] = fd;
        emit(REC_ACK, 0, r->seq, 0, e, fd >= 0 ? (uint64_t)(nroots - 1) : 0, 0, NULL, 0, NULL, 0, NULL);
        flush_out();
        batch_ops = batch_errors = 0;
        break;
      }
      case OP_WRITE:
        op_write(r, comps, n);
        break;
      case OP_MKDIR:
        if (skip_bytes(r->data_len) < 0) return 2;
        op_mkdir(r, comps, n);
        break;
      case OP_SYMLINK:
        op_symlink(r, comps, n);
        break;
      case OP_DELETE:
        if (skip_bytes(r->data_len) < 0) return 2;
        op_delete(r, comps, n);
        break;
      case OP_HASH:
        if (skip_bytes(r->data_len) < 0) return 2;
        op_hash(r, comps, n);
        break;
      case OP_LIST:
        op_list(r, comps, n);
        emit(REC_ACK, 0, r->seq, 0, 0, batch_ops, 0, NULL, 0, NULL, 0, NULL);
        flush_out();
        batch_ops = batch_errors = 0;
        break;
      case OP_COMMIT:
        if (skip_bytes(r->data_len) < 0) return 2;
        emit(REC_ACK, 0, r->seq, 0, 0, batch_ops - 1, 0, NULL, 0, NULL, 0, NULL);
        flush_out();
        batch_ops = batch_errors = 0;
        break;
      case OP_QUIT:
        flush_out();
        return 0;
      default:
        if (skip_bytes(r->data_len) < 0) return 2;
        fail(r, E_BADOP, "unknown op");
        break;
    }
  }
  flush_out();
  return 0;
}
