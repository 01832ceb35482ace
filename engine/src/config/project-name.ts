// Compose project names: lowercase letters, digits, `_` and `-`, starting with a letter or digit.
// Whatever the source (-p, COMPOSE_PROJECT_NAME, `name:`, the directory), devenv normalises it
// the way Compose does for directory names, so `My App` becomes `myapp`.

export function normaliseProjectName(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '')
    .replace(/^[_-]+/, '');
}
