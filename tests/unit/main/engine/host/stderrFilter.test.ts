/** The engine host's stderr filter: Dawn's native Vulkan-loader warning is dropped, everything else passes through. */
import { describe, expect, it } from 'vitest';
import { HostStderrFilter } from '../../../../../src/main/engine/host/client';

// What onnxruntime-node 1.30's WebGPU probe printed here (no libvulkan), verbatim.
const DAWN = [
  "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
  '    at operator() (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/BackendVk.cpp:368)',
  '',
].join('\n');

describe('HostStderrFilter', () => {
  it('drops the Dawn lines and the blank line after them, keeps other output in order', () => {
    const f = new HostStderrFilter();
    const text = `before\n${DAWN}\nafter: a real warning\n\nkept blank above\n`;
    expect(f.push(text)).toBe('before\nafter: a real warning\n\nkept blank above\n');
    expect(f.flush()).toBe('');
  });

  it('handles lines split across chunks and a trailing partial line', () => {
    const f = new HostStderrFilter();
    const text = `${DAWN}\nengine says hi\nno newline at the end`;
    let out = '';
    for (let i = 0; i < text.length; i += 7) out += f.push(text.slice(i, i + 7));
    out += f.flush();
    expect(out).toBe('engine says hi\nno newline at the end');
  });

  it('keeps stack-like lines that are not Dawn’s (a real crash must stay visible)', () => {
    const f = new HostStderrFilter();
    const crash = 'Error: boom\n    at run (/app/out/main/engineHost.js:10:5)\n';
    expect(f.push(crash)).toBe(crash);
  });
});
