import { describe, expect, it } from 'vitest';
import { dnsLabel, labelValue, projectNamespace, serviceAppName, snapshotBranch, snapshotRef } from './names.js';

describe('names', () => {
  it('makes DNS labels that are also valid Service names', () => {
    expect(dnsLabel('backend')).toBe('backend');
    expect(dnsLabel('My_API.v2')).toBe('my-api-v2');
    expect(dnsLabel('1api')).toBe('s-1api');
    expect(dnsLabel('--x--')).toBe('x');
    expect(dnsLabel('a'.repeat(80))).toHaveLength(63);
    expect(dnsLabel(`${'a'.repeat(62)}-b`)).toBe('a'.repeat(62));
  });

  it('gives a project its own namespace, never one someone else owns', () => {
    expect(projectNamespace('devenv-reference')).toBe('devenv-reference');
    expect(projectNamespace('argocd')).toBe('devenv-argocd');
    expect(projectNamespace('kube-stuff')).toBe('devenv-kube-stuff');
    expect(projectNamespace('default')).toBe('devenv-default');
  });

  it('names Applications, branches and refs after project and service', () => {
    expect(serviceAppName('devenv-reference', 'backend')).toBe('devenv-reference-backend');
    expect(snapshotBranch('my_app')).toBe('devenv/my-app');
    expect(snapshotRef('my_app')).toBe('refs/devenv/my-app');
  });

  it('keeps label values within the label syntax', () => {
    expect(labelValue('my_app')).toBe('my_app');
    expect(labelValue('-x/y-')).toBe('x-y');
    expect(labelValue('a'.repeat(70))).toHaveLength(63);
  });
});
