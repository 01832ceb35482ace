import { describe, expect, it } from 'vitest';
import { invalidParams } from './request-params.js';

describe('invalidParams', () => {
  it.each([
    ['devenv/up', null, 'params must be an object'],
    ['devenv/up', {}, 'params.config is missing'],
    ['devenv/up', { config: { env: { A: 1 } } }, 'params.config.env must map names to strings'],
    ['devenv/up', { config: {}, services: 'web' }, 'params.services must be a list of strings'],
    ['devenv/restart', { service: 3 }, 'params.service must be a string'],
    ['devenv/reset', { mode: 'medium' }, 'params.mode must be one of soft, hard'],
    ['devenv/initialize', { protocolVersion: 1 }, 'params.client is missing'],
  ])('%s %j: %s', (method, params, message) => {
    expect(invalidParams(method, params)).toBe(message);
  });

  it('accepts what the clients send', () => {
    expect(invalidParams('devenv/up', { config: { files: ['/a'], env: { A: 'b' }, envNames: ['A'] } })).toBeUndefined();
    expect(invalidParams('devenv/down', {})).toBeUndefined();
    expect(invalidParams('devenv/status', undefined)).toBeUndefined();
  });
});
