// JUnit XML, the report CI systems read (GitHub, GitLab, Jenkins, Buildkite…): one suite for
// the environment's steps (each service ready, the environment down), one for the tests.

export interface JUnitCase {
  name: string;
  classname: string;
  timeSeconds: number;
  failure?: { message: string; type: string; text?: string };
  skipped?: string;
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  /** ISO time the suite began. */
  timestamp: string;
  cases: JUnitCase[];
}

/** The report: `<testsuites>` with its counts, every text escaped for XML 1.0. */
export function junitXml(suites: readonly JUnitSuite[]): string {
  const count = (f: (c: JUnitCase) => boolean) => suites.reduce((n, s) => n + s.cases.filter(f).length, 0);
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const time = (cs: readonly JUnitCase[]) => seconds(cs.reduce((t, c) => t + c.timeSeconds, 0));
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="devenv ci" tests="${total}" failures="${count((c) => !!c.failure)}" errors="0" skipped="${count((c) => c.skipped !== undefined)}" time="${time(suites.flatMap((s) => s.cases))}">`,
  ];
  for (const s of suites) {
    out.push(
      `  <testsuite name="${attr(s.name)}" timestamp="${attr(s.timestamp.replace(/\.\d+Z$/, ''))}" tests="${s.cases.length}" failures="${s.cases.filter((c) => c.failure).length}" errors="0" skipped="${s.cases.filter((c) => c.skipped !== undefined).length}" time="${time(s.cases)}">`,
    );
    for (const c of s.cases) {
      const open = `    <testcase name="${attr(c.name)}" classname="${attr(c.classname)}" time="${seconds(c.timeSeconds)}"`;
      const body: string[] = [];
      if (c.failure)
        body.push(
          `      <failure message="${attr(c.failure.message)}" type="${attr(c.failure.type)}">${text(c.failure.text ?? c.failure.message)}</failure>`,
        );
      if (c.skipped !== undefined) body.push(`      <skipped message="${attr(c.skipped)}"/>`);
      if (c.systemOut) body.push(`      <system-out>${text(c.systemOut)}</system-out>`);
      out.push(body.length === 0 ? `${open}/>` : `${open}>\n${body.join('\n')}\n    </testcase>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

function seconds(s: number): string {
  return Math.max(0, s).toFixed(3);
}

/** Characters XML 1.0 cannot carry at all (control characters, lone surrogates) become U+FFFD. */
function clean(s: string): string {
  return s.replace(
    /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '\ufffd',
  );
}

function text(s: string): string {
  return clean(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function attr(s: string): string {
  return text(s).replaceAll('"', '&quot;').replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;');
}
