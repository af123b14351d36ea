import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured as cli } from '../../../fixtures/cli';
import { loadTagIndex, tagListPath } from '../../../../src/main/tags';
import { haveShared, lineOf, PROMPTS_DIR, samplePrompts, TAGS_CSV } from '../../shared/prompt/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'prompt-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe.runIf(haveShared())('newbie-studio prompt check', () => {
  it('--json on every sample: exit 0, the documented shape, mode per file', async () => {
    for (const { name } of samplePrompts()) {
      const r = await cli('prompt', 'check', join(PROMPTS_DIR, name), '--json');
      expect([name, r.code]).toEqual([name, 0]);
      const doc = JSON.parse(r.out) as { mode: string; diagnostics: Record<string, unknown>[] };
      expect(Object.keys(doc)).toEqual(['mode', 'diagnostics']);
      expect(doc.mode).toBe(name.endsWith('.xml') ? 'xml' : name.startsWith('tags') ? 'tags' : 'natural');
      for (const d of doc.diagnostics) {
        expect(Object.keys(d)).toEqual(['severity', 'code', 'message', 'line', 'column']);
        expect(d.severity).not.toBe('error');
      }
    }
  });

  it('exit 1 with the error on its line for a broken prompt; human lines name file:line:column', async () => {
    const lines = ['<character_1>', '  <n></n>', '  <gender>1girl</gender>', '  <appearance>blue_hair', '</character_1>', 'stray words'];
    const p = file('broken.xml', lines.join('\n'));
    const json = await cli('prompt', 'check', p, '--json');
    expect(json.code).toBe(1);
    const errors = (JSON.parse(json.out) as { diagnostics: { severity: string; code: string; line: number }[] }).diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => [d.code, d.line]);
    expect(errors).toEqual([
      ['unclosed-tag', lineOf(lines, '<appearance>')],
      ['text-outside-tags', lineOf(lines, 'stray words')],
    ]);
    const human = await cli('prompt', 'check', p);
    expect(human.code).toBe(1);
    expect(human.out).toContain(`${p}:${lineOf(lines, '<appearance>')}:3: error [unclosed-tag]`);
    expect(human.err).toContain('2 errors');
  });

  it('warnings alone exit 0; the danbooru list is used (blue hair → blue_hair)', async () => {
    const p = file('tags.txt', '1girl, blue hair, solo\n');
    const r = await cli('prompt', 'check', p, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      mode: 'tags',
      diagnostics: [{ severity: 'warning', code: 'tag-spaces', message: expect.stringContaining('`blue_hair`'), line: 1, column: 8 }],
    });
  });

  it('an unreadable file is invalid input (exit 2)', async () => {
    const r = await cli('prompt', 'check', join(dir, 'missing.xml'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('InvalidRequest');
    expect(r.err).toContain('missing.xml');
  });
});

describe.runIf(haveShared())('newbie-studio prompt format', () => {
  it('prints the official layout for a flattened prompt', async () => {
    const { text } = samplePrompts().find((s) => s.name === 'two-characters.xml')!;
    const flat = file('flat.xml', text.split('\n').map((l) => l.trim()).join(''));
    const r = await cli('prompt', 'format', flat);
    expect(r.code).toBe(0);
    expect(r.out).toBe(text);
  });

  it('prints a broken prompt unchanged and exits 1', async () => {
    const text = '<character_1>\n<n>x\n</character_1>';
    const r = await cli('prompt', 'format', file('broken2.xml', text));
    expect(r.code).toBe(1);
    expect(r.out).toBe(text);
    expect(r.err).toContain(':2:1: error [unclosed-tag]');
  });
});

describe.runIf(haveShared())('loadTagIndex', () => {
  it('loads resources/danbooru-tags.csv (a copy of ../shared/data) once', () => {
    expect(readFileSync(tagListPath(), 'utf8')).toBe(readFileSync(TAGS_CSV, 'utf8'));
    const index = loadTagIndex();
    expect(loadTagIndex()).toBe(index);
    const lines = readFileSync(TAGS_CSV, 'utf8').split('\n').filter((l) => l.length > 0);
    expect(index.size).toBe(lines.length);
    const [tag, , count] = lines[0].split(',');
    expect(index.lookup(tag)?.count).toBe(Number(count));
  });
});
