/** ortMessage: what a person reads of an onnxruntime failure (provider probe reasons, model errors). */
import { describe, expect, it } from 'vitest';
import { ortMessage } from '../../../../../src/main/engine/runtime/session';

describe('ortMessage', () => {
  it('strips the source path, C++ function and condition of an ORT_ENFORCE failure', () => {
    // The WebGPU probe's message on this machine, verbatim.
    const raw =
      "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters";
    expect(ortMessage(raw)).toBe('Failed to get a WebGPU adapter: No supported adapters');
  });

  it('keeps a plain message, only its first line', () => {
    expect(ortMessage('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore')).toBe(
      'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
    );
  });
});
