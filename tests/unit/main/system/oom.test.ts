import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { VramSample } from '../../../../src/shared/dto';
import type { AdviceContext } from '../../../../src/main/system/advice';
import { classifyOutOfMemory, jobFailure, oomAwareExitClassifier } from '../../../../src/main/system/oom';
import { predictVram, type VramPredictionInput } from '../../../../src/main/system/predict';
import { availableVram, vramWarning } from '../../../../src/main/system/warning';
import { FP32, GB, newbieVramInput } from './vramInputs';

// Real messages, as reported (onnxruntime issues #16307, #22702, #16305; Deep-Live-Cam #584, #645; hallo #218).
const CUDA_OOM =
  '[ONNXRuntimeError] : 1 : FAIL : D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\cuda\\cuda_call.cc:121 onnxruntime::CudaCall ' +
  'CUDA failure 2: out of memory ; GPU=0 ; hostname=DESKTOP-QUBEI ; file=D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\cuda\\cuda_stream_handle.cc ; line=175 ; expr=cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking);';
const CUBLAS =
  "Non-zero status code returned while running Gemm node. Name:'fc1' Status Message: CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=TOBI ; file=cuda_execution_provider.cc ; line=168 ; expr=cublasCreate(&cublas_handle_);";
const BFC =
  "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Name:'Conv_117' Status Message: /onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 26216448";
const BAD_ALLOC_LINUX = 'std::bad_alloc';
const BAD_ALLOC_WIN =
  "Non-zero status code returned while running FusedMatMul node. Name:'MatMul_With_Transpose_token_14_FusedMatMulAndScale' Status Message: bad allocation";
const CUBLAS_EXEC =
  'CUBLAS failure 13: CUBLAS_STATUS_EXECUTION_FAILED ; GPU=0 ; hostname=LED-PC ; file=gemm.cc ; line=121';
const PROVIDER_LOAD = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';


function ctxFor(over: Partial<VramPredictionInput>, available: number, bf16Capable = true): AdviceContext {
  const prediction = newbieVramInput(over);
  return {
    request: {
      width: prediction.width,
      height: prediction.height,
      batch: prediction.batch,
      memoryPolicy: prediction.memoryPolicy,
    },
    plan: prediction.plan,
    provider: prediction.provider,
    bf16Capable,
    prediction,
    availableBytes: available,
  };
}

describe('classifyOutOfMemory: allocator messages', () => {
  it('CUDA, cuBLAS and the BFC arena on a GPU run are VRAM', () => {
    for (const m of [CUDA_OOM, CUBLAS, BFC]) {
      const c = classifyOutOfMemory(m, {
        request: { width: 1024, height: 1024, batch: 1 },
        provider: 'cuda',
      });
      expect(c).toMatchObject({ oom: true, probable: false, memory: 'vram' });
    }
    expect(classifyOutOfMemory(new Error(CUDA_OOM)).matched).toBe('CUDA failure 2: out of memory');
  });

  it('the CPU allocator (BFC arena on a CPU run, std::bad_alloc, MSVC bad allocation) is RAM', () => {
    expect(
      classifyOutOfMemory(BFC, { request: { width: 1024, height: 1024, batch: 1 }, provider: 'cpu' }).memory,
    ).toBe('ram');
    expect(classifyOutOfMemory(BAD_ALLOC_LINUX).memory).toBe('ram');
    expect(classifyOutOfMemory(BAD_ALLOC_WIN).memory).toBe('ram');
  });

  it('other failures are not out-of-memory', () => {
    for (const m of [
      CUBLAS_EXEC,
      PROVIDER_LOAD,
      'dit: onnxruntime rejected the graph or its weights: Type Error',
    ]) {
      expect(classifyOutOfMemory(m)).toEqual({ oom: false, probable: false, memory: 'unknown', advice: [] });
    }
  });

  it('a process killed with SIGKILL (the OOM killer) is a probable RAM OOM', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const exit = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
    );
    process.kill(child.pid!, 'SIGKILL');
    const c = classifyOutOfMemory(await exit);
    expect(c).toMatchObject({ oom: true, probable: true, memory: 'ram', matched: 'SIGKILL' });
    expect(classifyOutOfMemory({ exitCode: 137 }).probable).toBe(true);
    expect(classifyOutOfMemory({ exitCode: 1, signal: null }).oom).toBe(false);
  });
});

describe('advice fits the request', () => {
  it('1024², batch 2, encoders kept, fp32 on a bf16 GPU: release, precision, batch 1 first; pixels only if needed', () => {
    const roomy = classifyOutOfMemory(CUDA_OOM, ctxFor({ batch: 2, plan: FP32 }, 20 * GB)).advice;
    expect(roomy.slice(0, 3)).toEqual([
      'Release the text encoders after encoding (memory policy "release"): frees about 8.7 GB before the DiT runs.',
      'Use precision auto (bf16 on this GPU): fp32 activations take twice the memory of 16-bit ones.',
      'Generate one image at a time: batch 1 instead of 2.',
    ]);
    // Those three are predicted to fit in 20 GB, so the resolution stays.
    expect(
      predictVram(newbieVramInput({ memoryPolicy: 'release' })).fitsIn(20 * GB),
    ).toBe(true);
    expect(roomy.some((a) => a.includes('resolution'))).toBe(false);

    const tight = 10 * GB;
    const advice = classifyOutOfMemory(CUDA_OOM, ctxFor({ batch: 2, plan: FP32 }, tight)).advice;
    const size = /^If it still does not fit, lower the resolution: 1024×1024 → (\d+)×(\d+)\.$/.exec(
      advice[3],
    )!;
    const [w, h] = [Number(size[1]), Number(size[2])];
    expect(w * h).toBeLessThan(1024 * 1024);
    expect((w % 64) + (h % 64)).toBe(0);
    const applied = newbieVramInput({ memoryPolicy: 'release' });
    expect(predictVram({ ...applied, width: w, height: h }).fitsIn(tight)).toBe(true);
    expect(predictVram({ ...applied, width: 1024, height: 1024 }).fitsIn(tight)).toBe(false);
  });

  it('a request already at batch 1, releasing encoders, in bf16: no advice it already follows', () => {
    const { advice } = classifyOutOfMemory(
      CUDA_OOM,
      ctxFor({ width: 768, height: 768, memoryPolicy: 'release' }, 6 * GB),
    );
    expect(advice.some((a) => a.includes('batch 1'))).toBe(false);
    expect(advice.some((a) => a.includes('Release the text encoders'))).toBe(false);
    expect(advice.some((a) => a.includes('precision'))).toBe(false);
    expect(advice[0]).toMatch(/^Lower the resolution: 768×768 → \d+×\d+\.$/);
  });

  it('a RAM OOM on the CPU names the RAM the run needs, never GPU settings', () => {
    const ctx = ctxFor({ plan: FP32, provider: 'cpu' }, 8 * GB, false);
    const { advice, memory } = classifyOutOfMemory(BAD_ALLOC_LINUX, ctx);
    expect(memory).toBe('ram');
    const needs = (predictVram(ctx.prediction!).bytes / GB).toFixed(1);
    expect(advice[advice.length - 1]).toBe(
      `Close other programs to free RAM: this run needs about ${needs} GB.`,
    );
    expect(advice.some((a) => /GPU|precision|Release/.test(a))).toBe(false);
  });
});

describe('jobFailure: only the job fails, the host restarts', () => {
  it('an OOM the engine labelled EngineCrashed or ModelInvalid becomes OutOfMemory with advice and a restart', () => {
    const ctx = ctxFor({ batch: 2 }, 12 * GB);
    for (const error of [
      { code: 'EngineCrashed' as const, message: BFC },
      {
        code: 'ModelInvalid' as const,
        message: `dit: onnxruntime rejected the graph or its weights: ${CUDA_OOM}`,
      },
    ]) {
      const f = jobFailure(error, ctx);
      expect(f.restartHost).toBe(true);
      expect(f.error.code).toBe('OutOfMemory');
      expect(f.error.message).toMatch(
        /^The GPU ran out of memory while generating 1024×1024, batch 2 \(predicted \d+\.\d GB, 12\.0 GB available\)\./,
      );
      expect(f.error.hint).toContain('batch 1 instead of 2');
    }
  });

  it('typed non-memory errors pass through; a cancel never restarts; a crash does', () => {
    expect(jobFailure({ code: 'PromptInvalid', message: 'bad' })).toMatchObject({
      error: { code: 'PromptInvalid' },
      restartHost: false,
    });
    expect(jobFailure({ code: 'Cancelled', message: 'x' })).toMatchObject({
      error: { code: 'Cancelled' },
      restartHost: false,
    });
    expect(jobFailure({ exitCode: 3, signal: null })).toMatchObject({
      error: { code: 'EngineCrashed', message: 'The engine process stopped unexpectedly (exit code 3).' },
      restartHost: true,
    });
  });

  it('the exit classifier for the host client: our kill is Cancelled, SIGKILL is OutOfMemory with the job advice', () => {
    const classify = oomAwareExitClassifier(() => ctxFor({ batch: 3 }, 10 * GB));
    expect(classify(null, 'SIGKILL', true).code).toBe('Cancelled');
    const e = classify(null, 'SIGKILL', false);
    expect(e.code).toBe('OutOfMemory');
    expect(e.message).toMatch(
      /^The engine process was killed by the system during the run, probably because memory ran out while generating 1024×1024, batch 3/,
    );
    expect(e.hint).toContain('batch 1 instead of 3');
  });
});

describe('vramWarning before a job', () => {
  const sample: VramSample = {
    time: 0,
    gpuStatus: 'ok',
    gpus: [
      {
        index: 0,
        name: 'RTX 4090',
        totalBytes: 24 * GB,
        usedBytes: 12 * GB,
        freeBytes: 12 * GB,
        utilizationPercent: 0,
        temperatureC: 40,
      },
    ],
    processes: [{ pid: 99, label: 'engine host', rssBytes: GB, vramBytes: { 0: 9 * GB } }],
  };

  it('available = free + what our warm host already holds', () => {
    expect(availableVram(sample, 0, [99])).toBe(21 * GB);
    expect(availableVram(sample, 0, [7])).toBe(12 * GB);
    expect(availableVram({ ...sample, gpuStatus: 'stale' })).toBeUndefined();
  });

  it('warns with fitting advice when the prediction exceeds what is available, else null', () => {
    const input = newbieVramInput({ batch: 2 });
    const predicted = predictVram(input).bytes;
    const w = vramWarning(input, predicted - 1)!;
    expect(w.message).toContain(`predicted to need ${(predicted / GB).toFixed(1)} GB`);
    expect(w.advice.some((a) => a.includes('batch 1 instead of 2'))).toBe(true);
    expect(vramWarning(input, predicted)).toBeNull();
    expect(vramWarning(input, undefined)).toBeNull();
  });
});
