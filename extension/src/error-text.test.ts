import { describe, expect, it } from 'vitest';
import { errorMessage } from './error-text.js';

function responseError(message: string, data: unknown): Error {
  return Object.assign(new Error(message), { data });
}

describe('errorMessage', () => {
  it('leads with the first problem’s location and hint, and counts the rest', () => {
    const err = responseError('bad config', {
      problems: [
        {
          code: 'a',
          message: 'unknown key `portz`',
          hint: 'did you mean `ports`?',
          location: { file: '/w/compose.yaml', line: 3, col: 5 },
        },
        { code: 'b', message: 'other' },
      ],
    });
    expect(errorMessage(err)).toBe(
      '/w/compose.yaml:3:5: unknown key `portz` (hint: did you mean `ports`?) (and 1 more)',
    );
  });

  it('falls back to the message and hint', () => {
    expect(errorMessage(responseError('port busy', { code: 'x', hint: 'free 8000' }))).toBe(
      'port busy (hint: free 8000)',
    );
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage('text')).toBe('text');
  });
});
