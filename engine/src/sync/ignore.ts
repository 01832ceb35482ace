// Which host paths sync leaves alone. Four sources, each with its own semantics:
//  - built-in editor temp files and `.git` (always ignored),
//  - `.gitignore` files (git semantics: basename patterns match at any depth, the last
//    matching rule wins, nothing inside an excluded directory can be re-included; nested
//    `.gitignore` files are read lazily, once per directory),
//  - `.dockerignore` of the sync root (Docker semantics: anchored, a match on a directory
//    excludes what is inside, `!` may re-include, even inside an excluded directory),
//  - `develop.watch[].ignore` (Compose applies Docker semantics relative to the rule's path).
// A path is ignored when any source ignores it. Docker's rules are matched by
// @balena/dockerignore, a port of Docker's own matcher, so the sync leaves out exactly what the
// image build leaves out; the matcher here is for git's semantics.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import dockerignore from '@balena/dockerignore';
import { parentOf } from './paths.js';

/** Docker-semantics patterns of one source, matched by Docker's own rules. */
interface DockerRuleSet {
  matcher: ReturnType<typeof dockerignore.default>;
  /** The `!` patterns, cleaned as Docker cleans them: only these can re-include a path. */
  exceptions: string[];
  /** Root-relative literal paths of plain (no glob, no `!`) patterns, for the agent's pruning. */
  literalPaths: string[];
}

function dockerRuleSet(lines: readonly string[]): DockerRuleSet | undefined {
  const patterns = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (patterns.length === 0) return undefined;
  // The package is CommonJS (`module.exports = factory`); its typings describe an ES default export.
  const factory = dockerignore as unknown as typeof dockerignore.default;
  const clean = (p: string) => path.posix.normalize(p).replace(/^\/+/, '').replace(/\/+$/, '');
  const exceptions = patterns.filter((p) => p.startsWith('!')).map((p) => clean(p.slice(1)));
  const literalPaths = patterns
    .filter((p) => !p.startsWith('!') && !GLOB_CHARS.test(p))
    .map(clean)
    .filter((p) => p !== '' && p !== '.');
  return { matcher: factory().add(patterns), exceptions, literalPaths };
}

/**
 * Docker's decision for a root-relative path. A directory that Docker excludes is still walked
 * when an exception's text starts with its path (`dir` then `!dir/keep`): the daemon's own walk
 * does exactly that, so it is not ignored here either, and its children are decided one by one.
 */
function dockerIgnores(set: DockerRuleSet, rel: string, isDir: boolean): boolean {
  if (!set.matcher.ignores(rel)) return false;
  if (!isDir) return true;
  const dirSlash = `${rel}/`;
  return !set.exceptions.some((e) => `${e}/`.startsWith(dirSlash));
}

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  regex: RegExp;
  /** The literal basename of a `name` / `name/` rule without glob characters. */
  literalName?: string;
}

interface RuleSet {
  /** Absolute directory the patterns are relative to. */
  base: string;
  rules: Rule[];
}

/** Editor temp files and VCS metadata nobody wants in a container. */
export const BUILTIN_IGNORES: readonly string[] = [
  '.git',
  '4913',
  '*~',
  '.*.sw[a-px]',
  '*___jb_tmp___',
  '*___jb_old___',
  '\\#*#',
  '.#*',
];

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates one glob (no leading `!`, no trailing `/`) to a regex body; `*` never crosses `/`. */
export function globToRegexSource(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const ch = glob[i]!;
    if (ch === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1]!);
      i += 2;
    } else if (ch === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const slashAfter = glob[i + 2] === '/';
        const atEnd = i + 2 === glob.length;
        if (atStart && slashAfter) {
          out += '(?:.*/)?';
          i += 3;
          continue;
        }
        if (atStart && atEnd) {
          out += '.*';
          i += 2;
          continue;
        }
        out += '[^/]*';
        i += 2;
        continue;
      }
      out += '[^/]*';
      i += 1;
    } else if (ch === '?') {
      out += '[^/]';
      i += 1;
    } else if (ch === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        i += 1;
        continue;
      }
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
      out += `(?!/)[${body.replace(/\\/g, '\\\\').replace(/^\^\]/, '^\\]')}]`;
      i = close + 1;
    } else {
      out += escapeRegex(ch);
      i += 1;
    }
  }
  return out;
}

const GLOB_CHARS = /[*?[\\]/;

/** Parses ignore-file text (or a list of patterns) into rules with git's semantics. */
export function parseIgnorePatterns(lines: readonly string[]): Rule[] {
  const rules: Rule[] = [];
  for (const raw of lines) {
    // Trailing spaces are dropped unless escaped.
    let line = raw.replace(/\r$/, '').replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    let negate = false;
    if (line.startsWith('!')) {
      negate = true;
      line = line.slice(1);
    } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
      line = line.slice(1);
    }
    let dirOnly = false;
    if (line.endsWith('/')) {
      dirOnly = true;
      line = line.replace(/\/+$/, '');
    }
    const anchored = line.includes('/');
    line = line.replace(/^\/+/, '');
    if (line === '') continue;
    const body = globToRegexSource(line);
    const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`);
    const literalName = !anchored && !GLOB_CHARS.test(line) ? line : undefined;
    rules.push({ negate, dirOnly, regex, ...(literalName ? { literalName } : {}) });
  }
  return rules;
}

function lastMatch(rules: readonly Rule[], rel: string, isDir: boolean): boolean | undefined {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i]!;
    if (r.dirOnly && !isDir) continue;
    if (r.regex.test(rel)) return !r.negate;
  }
  return undefined;
}

export interface IgnoreMatcherOptions {
  /** Read `.gitignore` files (the root's, nested ones, and those of ancestors up to `gitTop`). */
  gitignore?: boolean;
  /** Ancestor directory where `.gitignore` lookup stops going up (default: the root itself). */
  gitTop?: string;
  /** Contents of a `.dockerignore` that applies at the root (default: read `<root>/.dockerignore`). */
  dockerignore?: string | false;
  /** Compose `develop.watch[].ignore` patterns, relative to the root. */
  patterns?: readonly string[];
  /** Extra patterns with Docker semantics relative to the root (for callers' own needs). */
  builtins?: boolean;
}

/**
 * Decides whether an absolute host path under `root` is ignored. Cheap to ask repeatedly:
 * decisions about directories are cached, and nested `.gitignore` files are read once.
 */
export class IgnoreMatcher {
  readonly root: string;
  private readonly builtin: RuleSet | undefined;
  private readonly docker: DockerRuleSet[] = [];
  private readonly gitEnabled: boolean;
  private readonly gitTop: string;
  private readonly gitCache = new Map<string, RuleSet | null>();
  private readonly dirCache = new Map<string, boolean>();

  constructor(root: string, opts: IgnoreMatcherOptions = {}) {
    this.root = path.resolve(root);
    this.gitEnabled = opts.gitignore ?? true;
    this.gitTop = opts.gitTop ? path.resolve(opts.gitTop) : this.root;
    if (opts.builtins ?? true) {
      this.builtin = { base: this.root, rules: parseIgnorePatterns(BUILTIN_IGNORES) };
    }
    let dockerText: string | undefined;
    if (opts.dockerignore === undefined) dockerText = readOptional(path.join(this.root, '.dockerignore'));
    else if (opts.dockerignore !== false) dockerText = opts.dockerignore;
    for (const lines of [dockerText?.split('\n') ?? [], opts.patterns ?? []]) {
      const set = dockerRuleSet(lines);
      if (set) this.docker.push(set);
    }
  }

  /**
   * Whether `abs` is ignored, checking its ancestors too (a path inside an ignored directory
   * is ignored). `isDir` tells whether `abs` itself is a directory.
   */
  ignores(abs: string, isDir: boolean): boolean {
    const rel = this.rel(abs);
    if (rel === undefined || rel === '') return false;
    const parent = parentOf(rel);
    if (parent !== '' && this.dirIgnoredRel(parent)) return true;
    return this.decide(rel, isDir);
  }

  /**
   * Whether `abs` is ignored, assuming its parent directory is known not to be (the case
   * during a top-down walk that skips ignored directories).
   */
  ignoresDirect(abs: string, isDir: boolean): boolean {
    const rel = this.rel(abs);
    if (rel === undefined || rel === '') return false;
    return this.decide(rel, isDir);
  }

  /**
   * What a container listing may skip descending into, in the agent's prune syntax: a
   * basename ignored wherever it appears (`node_modules`, `.git`), or `/rel/path` for one
   * root-relative directory. Only rules no negation could undo are used; the host still
   * filters every listed entry, so this only saves work.
   */
  pruneNames(): string[] {
    this.gitRules(this.root);
    const names = new Set<string>();
    const gitSets = [this.builtin, this.gitCache.get(this.root) ?? undefined].filter(
      (s): s is RuleSet => s !== undefined,
    );
    const anyGitNegation = gitSets.some((s) => s.rules.some((r) => r.negate));
    for (const set of gitSets) {
      for (const r of set.rules) if (!r.negate && r.literalName && !anyGitNegation) names.add(r.literalName);
    }
    if (this.builtin) for (const r of this.builtin.rules) if (r.literalName) names.add(r.literalName);
    for (const set of this.docker) {
      if (set.exceptions.length > 0) continue;
      for (const p of set.literalPaths) names.add(`/${p}`);
    }
    return [...names].sort();
  }

  /** Forget everything read from `.gitignore` files (one changed). */
  invalidate(): void {
    this.gitCache.clear();
    this.dirCache.clear();
  }

  /** True when the path is a `.gitignore` or `.dockerignore` whose change alters decisions. */
  isIgnoreFile(abs: string): boolean {
    const base = path.basename(abs);
    return (base === '.gitignore' && this.gitEnabled) || (base === '.dockerignore' && path.dirname(abs) === this.root);
  }

  private rel(abs: string): string | undefined {
    if (abs === this.root) return '';
    if (!abs.startsWith(`${this.root}/`)) return undefined;
    return abs.slice(this.root.length + 1);
  }

  private dirIgnoredRel(rel: string): boolean {
    const cached = this.dirCache.get(rel);
    if (cached !== undefined) return cached;
    const parent = parentOf(rel);
    const result = (parent !== '' && this.dirIgnoredRel(parent)) || this.decide(rel, true);
    this.dirCache.set(rel, result);
    return result;
  }

  private decide(rel: string, isDir: boolean): boolean {
    if (this.builtin && lastMatch(this.builtin.rules, rel, isDir) === true) return true;
    for (const set of this.docker) if (dockerIgnores(set, rel, isDir)) return true;
    if (this.gitEnabled && this.gitDecide(rel, isDir)) return true;
    return false;
  }

  /** Git: the deepest `.gitignore` with a matching rule decides. */
  private gitDecide(rel: string, isDir: boolean): boolean {
    const abs = `${this.root}/${rel}`;
    let dir = path.dirname(abs);
    for (;;) {
      const set = this.gitRules(dir);
      if (set) {
        const sub = abs.slice(dir.length + 1);
        const m = lastMatch(set.rules, sub, isDir);
        if (m !== undefined) return m;
      }
      if (dir === this.gitTop || dir === path.dirname(dir) || !dir.startsWith(this.gitTop)) return false;
      dir = path.dirname(dir);
    }
  }

  private gitRules(dir: string): RuleSet | null {
    let set = this.gitCache.get(dir);
    if (set === undefined) {
      const text = readOptional(path.join(dir, '.gitignore'));
      set = text === undefined ? null : { base: dir, rules: parseIgnorePatterns(text.split('\n')) };
      this.gitCache.set(dir, set);
    }
    return set;
  }
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Finds the top of the git work tree holding `dir` (the nearest ancestor with `.git`), if any. */
export function findGitTop(dir: string, existsFn: (p: string) => boolean): string | undefined {
  let cur = path.resolve(dir);
  for (;;) {
    if (existsFn(path.join(cur, '.git'))) return cur;
    const up = path.dirname(cur);
    if (up === cur) return undefined;
    cur = up;
  }
}

/**
 * A rule whose path is one file (Compose allows `path: ./index.html`, `target: /app/index.html`):
 * the session syncs the file's directory with everything in it ignored but that one file, so a
 * reconcile never touches the file's neighbours in the container.
 */
export class SingleFileMatcher extends IgnoreMatcher {
  constructor(
    dir: string,
    private readonly fileName: string,
  ) {
    super(dir, { builtins: false, gitignore: false, dockerignore: false });
  }

  override ignores(abs: string, _isDir: boolean): boolean {
    return abs !== path.join(this.root, this.fileName);
  }

  override ignoresDirect(abs: string, isDir: boolean): boolean {
    return this.ignores(abs, isDir);
  }

  override pruneNames(): string[] {
    return ['node_modules', '.git'];
  }
}
