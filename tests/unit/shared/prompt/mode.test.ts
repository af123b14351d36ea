import { describe, expect, it } from 'vitest';
import { detectMode, encoderText } from '../../../../src/shared/prompt';
import { haveShared, samplePrompts } from './fixtures';

describe.runIf(haveShared())('mode of the sample prompts', () => {
  it('follows the file kind: .xml → xml, tags-only → tags, prose → natural', () => {
    const want: Record<string, string> = { 'tags-only.txt': 'tags', 'natural-language.txt': 'natural' };
    for (const { name, text } of samplePrompts()) expect([name, detectMode(text)]).toEqual([name, want[name] ?? 'xml']);
  });
});

describe('detectMode', () => {
  it.each([
    ['<character_1><n></n></character_1>', 'xml'],
    ['<caption>a cat</caption>', 'xml'],
    ['<foo>a</foo>', 'xml'],
    ['\uFEFF<general_tags>\r\n<count>solo</count>\r\n</general_tags>', 'xml'],
    ['1girl', 'tags'],
    ['1girl, solo, >_<, <o>_<o>, tiger_&_bunny', 'tags'],
    ['masterpiece, 1girl, looking at viewer, <lora:x:0.8>', 'tags'],
    ['silver hair\nred eyes\nmaid', 'tags'],
    ['A cat sleeping on a sofa.', 'natural'],
    ['a girl, smiling, in the park with her dog', 'natural'],
    ['The <3 emoji is cute', 'natural'],
    ['', 'natural'],
  ])('%j → %s', (text, mode) => {
    expect(detectMode(text)).toBe(mode);
  });
});

describe('encoderText', () => {
  it('removes a leading BOM and nothing else', () => {
    const body = '  <n>a &amp; b</n>\r\n\t<x>\uFEFF</x> ';
    expect(encoderText('\uFEFF' + body)).toBe(body);
    expect(encoderText(body)).toBe(body);
  });
});
