import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { ProjectSpec, ServiceSpec } from '../model/spec.js';
import { activeServices, enabledProfiles, isEnabledByProfiles } from './profiles.js';

function service(name: string, dependsOn: string[] = [], profiles: string[] = []): ServiceSpec {
  return {
    name,
    image: 'x',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: Object.fromEntries(
      dependsOn.map((d) => [d, { condition: 'service_started', required: true, restart: false }]),
    ),
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles,
    tty: false,
    stdinOpen: false,
    devenv: {},
  };
}

const project: ProjectSpec = {
  name: 'shop',
  projectDir: '/p',
  configFiles: ['/p/compose.yaml'],
  services: { web: service('web', ['api']), api: service('api', ['db']), db: service('db') },
  disabledServices: {
    seed: service('seed', ['db', 'fixtures'], ['tools']),
    fixtures: service('fixtures', [], ['tools']),
  },
  volumes: {},
  networks: {},
  devenv: {},
};

describe('profiles', () => {
  it('enables services without profiles, or with an enabled one, or all with *', () => {
    expect(isEnabledByProfiles([], [])).toBe(true);
    expect(isEnabledByProfiles(['dev'], [])).toBe(false);
    expect(isEnabledByProfiles(['dev', 'ci'], ['ci'])).toBe(true);
    expect(isEnabledByProfiles(['dev'], ['*'])).toBe(true);
  });

  it('adds COMPOSE_PROFILES to the requested profiles', () => {
    expect(enabledProfiles(['a'], ' b, ,a ,c')).toEqual(['a', 'b', 'c']);
    expect(enabledProfiles(undefined, undefined)).toEqual([]);
  });
});

describe('activeServices', () => {
  it('returns every active service, dependencies first', () => {
    expect(activeServices(project).map((s) => s.name)).toEqual(['db', 'api', 'web']);
  });

  it('returns requested services with their dependencies, including disabled ones', () => {
    expect(activeServices(project, ['api']).map((s) => s.name)).toEqual(['db', 'api']);
    expect(activeServices(project, ['seed']).map((s) => s.name)).toEqual(['db', 'fixtures', 'seed']);
  });

  it('rejects unknown names with a suggestion', () => {
    try {
      activeServices(project, ['wbe']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).problems[0]).toMatchObject({
        code: 'config.unknown-service',
        hint: 'did you mean `web`?',
      });
    }
  });
});
