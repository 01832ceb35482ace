// The JUnit writer: counts and times that CI systems read, and any text (a service's log, a
// test's output) carried safely into XML.

import { describe, expect, it } from 'vitest';
import { junitXml } from './junit.js';

describe('junitXml', () => {
  it('writes suites and cases with their counts and times in seconds', () => {
    const xml = junitXml([
      {
        name: 'shop environment',
        timestamp: '2030-01-01T00:00:00.123Z',
        cases: [
          { name: 'db ready', classname: 'devenv.shop.environment', timeSeconds: 2.5 },
          {
            name: 'web ready',
            classname: 'devenv.shop.environment',
            timeSeconds: 1,
            failure: { message: 'web exited with code 3', type: 'ServiceFailed', text: 'last lines:\nboom' },
          },
        ],
      },
      {
        name: 'shop tests',
        timestamp: '2030-01-01T00:00:00.123Z',
        cases: [{ name: 'npm test', classname: 'devenv.shop.tests', timeSeconds: 0, skipped: 'not run' }],
      },
    ]);
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="devenv ci" tests="3" failures="1" errors="0" skipped="1" time="3.500">
  <testsuite name="shop environment" timestamp="2030-01-01T00:00:00" tests="2" failures="1" errors="0" skipped="0" time="3.500">
    <testcase name="db ready" classname="devenv.shop.environment" time="2.500"/>
    <testcase name="web ready" classname="devenv.shop.environment" time="1.000">
      <failure message="web exited with code 3" type="ServiceFailed">last lines:
boom</failure>
    </testcase>
  </testsuite>
  <testsuite name="shop tests" timestamp="2030-01-01T00:00:00" tests="1" failures="0" errors="0" skipped="1" time="0.000">
    <testcase name="npm test" classname="devenv.shop.tests" time="0.000">
      <skipped message="not run"/>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const xml = junitXml([
      {
        name: 's',
        timestamp: '2030-01-01T00:00:00Z',
        cases: [
          {
            name: 'a "quoted" <name> & more',
            classname: 'c',
            timeSeconds: 0,
            systemOut: 'ansi \x1b[31mred\x1b[0m, nul \x00, ]]> and <b>',
            failure: { message: 'line1\nline2', type: 'T' },
          },
        ],
      },
    ]);
    expect(xml).toContain('name="a &quot;quoted&quot; &lt;name&gt; &amp; more"');
    expect(xml).toContain('message="line1&#10;line2"');
    expect(xml).toContain('<system-out>ansi \ufffd[31mred\ufffd[0m, nul \ufffd, ]]&gt; and &lt;b&gt;</system-out>');
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
  });
});
