// YAML text → ConfigNode tree, with every node's position. Syntax errors, tabs and duplicate keys
// come straight from the `yaml` parser (its own positions); this file turns them into Problems
// a person can act on, and resolves anchors, aliases and `<<` merge keys the way Compose does.

import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type YAMLError,
  type Node as YamlNode,
} from 'yaml';
import type { SourceLocation } from '../model/spec.js';
import { MAX_CONFIG_FILE_BYTES } from '../shared/read-bounded.js';
import { ConfigCode } from './codes.js';
import type { ConfigNode, MapEntry, MapNode, MergeTag, ScalarValue } from './config-node.js';
import { type ConfigDiagnostic, Diagnostics } from './diagnostics.js';

export interface ParsedSource {
  /** Undefined when the text has syntax errors or holds no document. */
  root?: MapNode;
  diagnostics: ConfigDiagnostic[];
}

/** Nodes that aliases may add in all (a real file's `<<: *defaults` adds a few hundred). */
export const MAX_ALIAS_NODES = 100_000;
/** Nesting levels (mappings and lists inside each other); real Compose files use under 10. */
export const MAX_NESTING = 64;

/** Parses one Compose file; the top level must be a mapping. */
export function parseYamlSource(text: string, file: string): ParsedSource {
  const diagnostics = new Diagnostics();
  const lineCounter = new LineCounter();
  // Checked before the yaml parser runs: it recurses per level and compiles a regex per
  // indentation width, so a 100,000-deep file would exhaust the heap inside it.
  const shape = checkTextShape(text);
  if (shape) {
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < shape.offset; i = text.indexOf('\n', i + 1))
      lineCounter.addNewLine(i + 1);
    diagnostics.error(shape.code, shape.message, positionOf(lineCounter, file, shape.offset), shape.hint);
    return { diagnostics: diagnostics.items };
  }
  // Duplicate keys are found by the converter through its Map: the parser's own check
  // compares each key with every earlier one (110,000 keys took minutes).
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false });
  const at = (offset: number, end?: number): SourceLocation => positionOf(lineCounter, file, offset, end);

  for (const error of doc.errors) diagnostics.add([yamlErrorToDiagnostic(error, at, text)]);
  for (const warning of doc.warnings) {
    if (warning.code === 'TAG_RESOLVE_FAILED' && /!(reset|override)\b/.test(warning.message)) continue;
    diagnostics.warn(
      ConfigCode.yamlWarning,
      firstLine(warning.message),
      at(warning.pos[0], warning.pos[1]),
      warning.code === 'TAG_RESOLVE_FAILED'
        ? 'a value starting with `!` is read as a YAML tag: quote the value'
        : 'quote the value, or add a space after the `:` if this was meant as a key',
    );
  }
  if (diagnostics.hasErrors) return { diagnostics: diagnostics.items };

  if (doc.contents === null) {
    diagnostics.error(
      ConfigCode.emptyFile,
      'the file is empty',
      at(0),
      'add at least a `services:` mapping, e.g. `services: {web: {image: nginx}}`',
    );
    return { diagnostics: diagnostics.items };
  }
  const converter = new TreeConverter(doc, text, at, diagnostics);
  const root = converter.convert(doc.contents, at(0));
  if (diagnostics.hasErrors) return { diagnostics: diagnostics.items };
  if (root.kind !== 'map') {
    diagnostics.error(
      ConfigCode.notAMapping,
      `the top level must be a mapping (keys like \`services:\`), not ${describeKind(root)}`,
      root.loc,
      'start the file with `services:` and indent each service under it',
    );
    return { diagnostics: diagnostics.items };
  }
  return { root, diagnostics: diagnostics.items };
}

interface ShapeProblem {
  offset: number;
  code: string;
  message: string;
  hint: string;
}

/**
 * What the yaml parser must never see, found in one pass: NUL and other control characters
 * that YAML forbids, text longer than a Compose file can reasonably be, and nesting (flow
 * brackets, indentation, `- - -`) deeper than MAX_NESTING. Quotes and comments are skipped
 * roughly: a bracket inside a quoted string is not nesting.
 */
function checkTextShape(text: string): ShapeProblem | undefined {
  if (text.length > MAX_CONFIG_FILE_BYTES) {
    return {
      offset: 0,
      code: ConfigCode.fileUnreadable,
      message: `the file is ${text.length.toLocaleString('en')} characters long; the limit is ${MAX_CONFIG_FILE_BYTES.toLocaleString('en')}`,
      hint: 'split it with `extends:` or several -f files',
    };
  }
  let flow = 0;
  let lineStart = true;
  let indent = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) {
      return {
        offset: i,
        code: ConfigCode.encoding,
        message:
          c === 0 ? 'NUL byte in the file' : `control character U+${c.toString(16).padStart(4, '0')} in the file`,
        hint: 'YAML text may not contain control characters: remove it (the file may be binary, or saved in another encoding)',
      };
    }
    if (c === 0x0a) {
      lineStart = true;
      indent = 0;
      continue;
    }
    if (lineStart) {
      // Leading spaces and block indicators (`- `, `? `, `: `) each open one more level.
      const next = text.charCodeAt(i + 1);
      const indicator = (c === 0x2d || c === 0x3f || c === 0x3a) && (next === 0x20 || next === 0x09);
      if (c === 0x20 || indicator) {
        if (++indent > MAX_NESTING * 4) return deepAt(i);
        continue;
      }
      lineStart = false;
    }
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === '\\' && quote === '"') i++;
      continue;
    }
    if ((ch === '"' || ch === "'") && /[\s[{,:]/.test(text[i - 1] ?? ' ')) quote = ch;
    else if (ch === '#' && /\s/.test(text[i - 1] ?? ' ')) {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (ch === '[' || ch === '{') {
      if (++flow > MAX_NESTING) return deepAt(i);
    } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
  }
  return undefined;
}

function deepAt(offset: number): ShapeProblem {
  return {
    offset,
    code: ConfigCode.tooComplex,
    message: `mappings and lists are nested more than ${MAX_NESTING} levels deep here`,
    hint: 'flatten the structure: a Compose file needs only a few levels',
  };
}

function describeKind(node: ConfigNode): string {
  if (node.kind !== 'scalar') return node.kind === 'seq' ? 'a list' : 'a mapping';
  return node.value === null ? 'null' : `a ${typeof node.value}`;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function positionOf(lineCounter: LineCounter, file: string, offset: number, end?: number): SourceLocation {
  const start = lineCounter.linePos(offset);
  const loc: SourceLocation = { file, line: start.line, col: start.col };
  if (end !== undefined && end > offset) {
    const stop = lineCounter.linePos(end);
    loc.endLine = stop.line;
    loc.endCol = stop.col;
  }
  return loc;
}

const syntaxHints: Record<string, string> = {
  MISSING_CHAR: 'close the quote or bracket that was opened earlier',
  BAD_INDENT: 'indent nested keys by the same number of spaces as their siblings',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after the colon, or quote the value',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; check for a missing colon or an unclosed quote above',
  MULTIPLE_DOCS: 'devenv reads one YAML document per file: remove the `---` separator or split the file',
  BAD_ALIAS: 'define the anchor (`&name`) before using it (`*name`)',
  UNEXPECTED_TOKEN: 'quote the value if it contains `:`, `#`, `{`, `[` or starts with `*`, `&`, `!`, `@`',
  TAG_RESOLVE_FAILED: 'remove the tag, or quote the value',
};

function yamlErrorToDiagnostic(
  error: YAMLError,
  at: (offset: number, end?: number) => SourceLocation,
  text: string,
): ConfigDiagnostic {
  const location = at(error.pos[0], Math.min(error.pos[1], text.length));
  const message = firstLine(error.message);
  if (error.code === 'TAB_AS_INDENT') {
    return {
      severity: 'error',
      code: ConfigCode.tabIndent,
      message: 'tab character used for indentation',
      location,
      hint: 'YAML indentation must use spaces: replace the tab with spaces (2 per level is usual)',
    };
  }
  if (error.code === 'DUPLICATE_KEY') {
    const key = duplicateKeyText(text, error.pos[0]);
    return {
      severity: 'error',
      code: ConfigCode.duplicateKey,
      message: key ? `duplicate key \`${key}\` in the same mapping` : 'duplicate key in the same mapping',
      location,
      hint: 'remove one of the two entries (a later one would silently win in other tools)',
    };
  }
  if (error.code === 'MULTIPLE_DOCS') {
    return {
      severity: 'error',
      code: ConfigCode.yamlSyntax,
      message: 'the file holds more than one YAML document (separated by `---`)',
      location,
      hint: syntaxHints.MULTIPLE_DOCS as string,
    };
  }
  const quote = error.code === 'MISSING_CHAR' ? /Missing closing (["'])quote/.exec(message)?.[1] : undefined;
  if (quote) {
    // The parser notices at the end of the input; the opening quote is where the fix goes.
    const opening = text.lastIndexOf(quote, Math.max(0, error.pos[0] - 1));
    return {
      severity: 'error',
      code: ConfigCode.yamlSyntax,
      message: `YAML syntax error: the string opened here with ${quote} is never closed`,
      location: opening >= 0 ? at(opening, opening + 1) : location,
      hint: `add the closing ${quote} at the end of the value`,
    };
  }
  const unclosedFlow = /end with a ([\]}])/.exec(message)?.[1];
  const hint = unclosedFlow
    ? `close the ${unclosedFlow === ']' ? 'list with `]`' : 'mapping with `}`'}, or quote the value if the bracket is part of a string`
    : (syntaxHints[error.code] ?? 'check the indentation and quoting around this position');
  return {
    severity: 'error',
    code: ConfigCode.yamlSyntax,
    message: `YAML syntax error: ${message.replace(/\.$/, '')}`,
    location,
    hint,
  };
}

function duplicateKeyText(text: string, offset: number): string | undefined {
  const line = text.slice(offset).split('\n')[0] ?? '';
  return /^\s*["']?([^"':]+)["']?\s*:/.exec(line)?.[1]?.trim();
}

/** Converts the yaml AST, resolving aliases and `<<` merge keys (explicit keys win over merged ones). */
class TreeConverter {
  private readonly resolving = new Set<YamlNode>();
  /** Nodes still allowed to come from aliases; undefined once the budget was exceeded. */
  private aliasBudget: number | undefined = MAX_ALIAS_NODES;
  /** The aliases being expanded, outermost first: an overflow is reported at the first. */
  private readonly aliasChain: SourceLocation[] = [];
  private depth = 0;
  /**
   * Each alias's anchored node, found in one pass: the parser's own `resolve` walks the whole
   * document for every alias, which made an alias bomb quadratic before the budget could stop it.
   */
  private readonly aliasTargets = new Map<YamlNode, YamlNode>();

  constructor(
    doc: Document.Parsed,
    private readonly text: string,
    private readonly at: (offset: number, end?: number) => SourceLocation,
    private readonly diagnostics: Diagnostics,
  ) {
    const anchors = new Map<string, YamlNode>();
    visit(doc, {
      Node: (_key, node) => {
        if (isAlias(node)) {
          const target = anchors.get(node.source);
          if (target) this.aliasTargets.set(node, target);
        } else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
  }

  convert(node: YamlNode | null | undefined, fallback: SourceLocation): ConfigNode {
    if (node === null || node === undefined) return { kind: 'scalar', value: null, loc: fallback };
    if (isAlias(node)) {
      const target = this.aliasTargets.get(node);
      if (!target || this.resolving.has(target)) return { kind: 'scalar', value: null, loc: this.locOf(node) };
      this.resolving.add(target);
      const at = this.locOf(node);
      this.aliasChain.push(at);
      try {
        return this.convert(target, at);
      } finally {
        this.aliasChain.pop();
        this.resolving.delete(target);
      }
    }
    const loc = this.locOf(node);
    if (this.aliasChain.length > 0 && !this.spendAliasNode()) return { kind: 'scalar', value: null, loc };
    if (this.depth >= MAX_NESTING) {
      this.tooDeep(loc);
      return { kind: 'scalar', value: null, loc };
    }
    this.depth++;
    try {
      return this.convertNode(node, loc);
    } finally {
      this.depth--;
    }
  }

  /** Counts one node an alias adds; false (reported once) when aliases expand past the budget. */
  private spendAliasNode(): boolean {
    if (this.aliasBudget === undefined) return false;
    if (--this.aliasBudget >= 0) return true;
    this.aliasBudget = undefined;
    this.diagnostics.error(
      ConfigCode.tooComplex,
      `this alias expands to more than ${MAX_ALIAS_NODES.toLocaleString('en')} nodes (aliases of lists of aliases multiply: a "billion laughs" document)`,
      this.aliasChain[0],
      'use each anchor a few times, not aliases of lists of aliases; Compose files rarely need more than `<<: *defaults`',
    );
    return false;
  }

  private tooDeep(loc: SourceLocation): void {
    if (this.diagnostics.items.some((d) => d.code === ConfigCode.tooComplex)) return;
    this.diagnostics.error(
      ConfigCode.tooComplex,
      `mappings and lists are nested more than ${MAX_NESTING} levels deep here`,
      loc,
      'flatten the structure: a Compose file needs only a few levels',
    );
  }

  private convertNode(node: YamlNode, loc: SourceLocation): ConfigNode {
    const tag = mergeTag(node.tag);
    if (isScalar(node)) {
      const range = node.range;
      const out: ConfigNode = { kind: 'scalar', value: scalarValue(node.value), loc };
      if (range) {
        const start = range[0];
        out.source = { raw: this.text.slice(start, range[1]), locate: (i) => this.at(start + i) };
      }
      if (tag) out.tag = tag;
      return out;
    }
    if (isSeq(node)) {
      const out: ConfigNode = {
        kind: 'seq',
        loc,
        items: node.items.map((item) => this.convert(item as YamlNode, loc)),
      };
      if (tag) out.tag = tag;
      return out;
    }
    if (isMap(node)) return this.convertMap(node, loc, tag);
    return { kind: 'scalar', value: null, loc };
  }

  private convertMap(node: YamlNode & { items: unknown[] }, loc: SourceLocation, tag: MergeTag | undefined): MapNode {
    const entries = new Map<string, MapEntry>();
    const merged: MapEntry[] = [];
    for (const pair of node.items as { key: unknown; value: unknown }[]) {
      const keyNode = pair.key as YamlNode | null;
      const keyLoc = keyNode ? this.locOf(keyNode) : loc;
      if (isScalar(keyNode) && (typeof keyNode.value === 'symbol' || keyNode.value === '<<')) {
        merged.push(...this.mergeSources(pair.value as YamlNode | null, keyLoc));
        continue;
      }
      if (keyNode && !isScalar(keyNode)) {
        this.diagnostics.error(
          ConfigCode.yamlSyntax,
          'a mapping key must be a plain value, not a list or mapping',
          keyLoc,
          'quote the key or move the structure into the value',
        );
        continue;
      }
      const key = keyNode ? String(scalarValue(keyNode.value) ?? '') : '';
      if (entries.has(key)) {
        this.diagnostics.error(
          ConfigCode.duplicateKey,
          `duplicate key \`${key}\` in the same mapping`,
          keyLoc,
          'remove one of the two entries (a later one would silently win in other tools)',
        );
        continue;
      }
      entries.set(key, { key, keyLoc, value: this.convert(pair.value as YamlNode | null, keyLoc) });
    }
    for (const entry of merged) if (!entries.has(entry.key)) entries.set(entry.key, entry);
    const out: MapNode = { kind: 'map', loc, entries };
    if (tag) out.tag = tag;
    return out;
  }

  /** `<<: *a` or `<<: [*a, *b]`; in a list, earlier sources win. */
  private mergeSources(value: YamlNode | null, keyLoc: SourceLocation): MapEntry[] {
    const sources = isSeq(value) ? (value.items as YamlNode[]) : value ? [value] : [];
    const seen = new Set<string>();
    const out: MapEntry[] = [];
    for (const source of sources) {
      const converted = this.convert(source, keyLoc);
      if (converted.kind !== 'map' && this.aliasBudget === undefined) continue; // cut short: reported once
      if (converted.kind !== 'map') {
        this.diagnostics.error(
          ConfigCode.yamlSyntax,
          'a `<<` merge key needs a mapping (or a list of mappings) to merge',
          converted.loc,
          'point `<<:` at an anchored mapping, e.g. `<<: *defaults`',
        );
        continue;
      }
      for (const entry of converted.entries.values()) {
        if (seen.has(entry.key)) continue;
        seen.add(entry.key);
        out.push(entry);
      }
    }
    return out;
  }

  private locOf(node: YamlNode): SourceLocation {
    const range = node.range;
    return range ? this.at(range[0], range[1]) : this.at(0);
  }
}

function mergeTag(tag: string | undefined): MergeTag | undefined {
  if (tag === '!reset') return 'reset';
  if (tag === '!override') return 'override';
  return undefined;
}

function scalarValue(value: unknown): ScalarValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
