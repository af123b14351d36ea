import { describe, expect, it } from 'vitest';
import { isTextEntry, type KeyTarget } from '../../../../../src/renderer/src/lib/keys';

/** A stand-in for an event target: tag, attributes, and the selectors its ancestors match. */
const target = (
  tagName: string,
  attrs: Record<string, string> = {},
  ancestors: string[] = [],
  isContentEditable = false,
): KeyTarget => ({
  tagName,
  isContentEditable,
  getAttribute: (name) => attrs[name] ?? null,
  closest: (selector) => (ancestors.includes(selector) ? {} : null),
});

describe('isTextEntry', () => {
  it('is true for form fields and contenteditable', () => {
    expect(isTextEntry(target('INPUT'))).toBe(true);
    expect(isTextEntry(target('TEXTAREA'))).toBe(true);
    expect(isTextEntry(target('SELECT'))).toBe(true);
    expect(isTextEntry(target('DIV', {}, [], true))).toBe(true);
  });

  it('is true for Monaco’s EditContext input (a plain div with role textbox inside .monaco-editor)', () => {
    expect(isTextEntry(target('DIV', { role: 'textbox' }, ['.monaco-editor']))).toBe(true);
    expect(isTextEntry(target('DIV', {}, ['.monaco-editor']))).toBe(true);
  });

  it('is false for buttons, the page and no target', () => {
    expect(isTextEntry(target('BUTTON'))).toBe(false);
    expect(isTextEntry(target('BODY'))).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});
