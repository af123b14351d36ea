import { describe, expect, it } from 'vitest';
import { characterSnippet } from '../../../../../../src/renderer/src/features/editor/snippets';
import { checkPrompt, hasErrors, POSITIONS, promptToComposer } from '../../../../../../src/shared/prompt';

/** Expands a Monaco snippet the way accepting it without typing does: first choice, empty tab stops. */
const expand = (s: string) => s.replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1').replace(/\$\d+/g, '');

describe('character snippet', () => {
  it('expands to a valid character block with the official fields in order and every board position offered', () => {
    const text = expand(characterSnippet(3));
    expect(hasErrors(checkPrompt(text).diagnostics)).toBe(false);
    const c = promptToComposer(text).characters[0];
    expect(c.index).toBe(3);
    expect(c.fields.map((f) => f.tag)).toEqual([
      'n',
      'gender',
      'appearance',
      'clothing',
      'expression',
      'action',
      'position',
    ]);
    expect(c.fields.find((f) => f.tag === 'gender')?.value).toBe('1girl');
    const choices = /<position>\$\{7\|([^|]*)\|\}/.exec(characterSnippet(3))![1].split(',');
    expect([...choices].sort()).toEqual([...POSITIONS].sort());
    expect(characterSnippet(2, false).startsWith('character_2>')).toBe(true);
  });
});
