/**
 * Element types of graph values and how they map to ONNX TensorProto.DataType and safetensors dtypes.
 * Source: onnx/onnx.proto (TensorProto.DataType).
 */
import type { SafeDtype } from '../safetensors/dtypes';

export type ElemType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export const ONNX_DTYPE: Record<ElemType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  bfloat16: 16,
};

/**
 * Maps a safetensors dtype to the graph element type.
 * @throws Error for a dtype with no ONNX element type (a build bug: the reader validates dtypes first).
 */
export function elemTypeOfSafe(dtype: SafeDtype): ElemType {
  switch (dtype) {
    case 'F32':
      return 'float32';
    case 'F16':
      return 'float16';
    case 'BF16':
      return 'bfloat16';
    case 'F64':
      return 'float64';
    case 'I64':
      return 'int64';
    case 'I32':
      return 'int32';
    case 'I8':
      return 'int8';
    case 'U8':
      return 'uint8';
    case 'BOOL':
      return 'bool';
    default:
      throw new Error(`dtype ${dtype} has no ONNX element type here`);
  }
}

/** True for the floating-point element types (fp32, fp16, bf16, fp64). */
export const isFloatType = (t: ElemType): boolean =>
  t === 'float32' || t === 'float16' || t === 'bfloat16' || t === 'float64';

/**
 * Ops with no bf16 kernel on the CUDA execution provider (runtime-notes.md §2.2, onnxruntime docs/OperatorKernels.md):
 * a bf16 graph must keep these in fp32 (or fp16), so the builder refuses a bf16 input to them.
 */
export const NO_BF16_KERNEL_OPS: ReadonlySet<string> = new Set([
  'Resize',
  'ReduceMean',
  'GroupNormalization',
  'Sin',
  'Cos',
  'InstanceNormalization',
]);
