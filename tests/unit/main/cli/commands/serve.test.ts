import { describe, expect, it } from 'vitest';
import { parsePort } from '../../../../../src/main/cli/commands/serve';
import { checkServeHost } from '../../../../../src/main/serve/server';
import { StudioError } from '../../../../../src/shared/errors';

const code = (f: () => unknown): string | null => {
  try {
    f();
    return null;
  } catch (e) {
    return e instanceof StudioError ? e.code : 'not a StudioError';
  }
};

describe('serve options', () => {
  it('takes decimal ports 0-65535 only', () => {
    expect(parsePort('7878')).toBe(7878);
    expect(parsePort(' 0 ')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    for (const bad of ['65536', '0x1f90', '8e3', '-1', '80.5', '', 'port'])
      expect(code(() => parsePort(bad)), bad).toBe('InvalidRequest');
  });

  it('refuses a network host without --allow-remote and says it is remote with it', () => {
    expect(checkServeHost('127.0.0.1', false)).toBe(false);
    expect(checkServeHost('localhost', undefined)).toBe(false);
    expect(code(() => checkServeHost('0.0.0.0', false))).toBe('InvalidRequest');
    expect(checkServeHost('0.0.0.0', true)).toBe(true);
  });
});
