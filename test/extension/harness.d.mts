// Types for harness.mjs (plain JavaScript, so the benchmark can import it without a build).
import type { Browser, Page } from 'playwright-core';

export const repoRoot: string;
export const cliBin: string;
export const CHROMIUM: string;
export const CHROMIUM_ARGS: string[];
export const WORKSPACE_CONFIG_FILES: string[];
export function missingPrerequisite(): string | undefined;
export function ensureCodeServer(log?: (line: string) => void): string;
export function packageExtension(log?: (line: string) => void): string;
export function installExtension(entry: string, vsix: string, extensionsDir: string): void;
export function freePort(): Promise<number>;
export function prepareWorkspace(dir: string): string;
export function stackEnvironment(): Promise<Record<string, string>>;
export function devenvCli(
  workspace: string,
  args: string[],
  env: Record<string, string>,
  opts?: { timeoutMs?: number },
): { status: number | null; stdout: string; stderr: string };
export function startCodeServer(opts: {
  entry: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  workspace: string;
  env: Record<string, string>;
  logFile: string;
  /** code-server's --log (and the extension channels' level), e.g. 'debug'. */
  logLevel?: string;
  /** Start it with `env` only, not this process's environment. */
  cleanEnv?: boolean;
}): Promise<{ url: string; stop(): void }>;
export function launchBrowser(): Promise<Browser>;
export function openWorkbench(browser: Browser, url: string): Promise<Page>;
export function statusBarText(page: Page): Promise<string>;
export function focusWorkbench(page: Page): Promise<void>;
export function openFileAt(page: Page, relPath: string, line: number, column?: number): Promise<void>;
export function callStackRows(page: Page): Promise<string[]>;
export function callStackSessions(page: Page): Promise<string[]>;
export function waitForSessions(page: Page, names: string[], timeoutMs: number): Promise<void>;
export function stopDebugging(page: Page): Promise<void>;
export function waitForSessionMatching(page: Page, pattern: string, timeoutMs: number): Promise<void>;
export function pausedAt(page: Page): Promise<{
  topFrame: { name: string; file: string; position: string };
  tab: string | null;
  cursor: string;
  highlighted: number;
}>;
export function servicesTree(page: Page): Promise<{ label: string; description: string; icon: string }[]>;
export function viewRows(page: Page, title: string): Promise<{ label: string; description: string; icon: string }[]>;
export function toggleRow(page: Page, title: string, label: string): Promise<void>;
export function problems(page: Page): Promise<string[]>;
