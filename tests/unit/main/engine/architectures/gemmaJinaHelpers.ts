/**
 * Test helpers for the text-encoder tests: golden folder resolution (conventions.md §8) and element-type propagation
 * over a built ModelProto, so tests can check which dtype each node computes in.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { GOLDEN } from '../../../../fixtures/golden';

export { GOLDEN };

/** True when the case exists; when it is absent, warns (or, under CI=true, reports that the test must fail). */
export function haveGolden(name: string): boolean {
  const ok = existsSync(join(GOLDEN, name, 'parity.json'));
  if (!ok)
    console.warn(
      `golden case ${join(GOLDEN, name)} is absent: its parity tests are skipped${process.env.CI === 'true' ? ' (CI: failing)' : ''}`,
    );
  return ok;
}

export const ONNX_FLOAT = 1;
export const ONNX_FLOAT16 = 10;
export const ONNX_BFLOAT16 = 16;

const num = (v: number | { toNumber(): number } | null | undefined): number =>
  typeof v === 'object' && v ? v.toNumber() : Number(v);

export interface TypedGraph {
  model: onnx.ModelProto;
  nodes: onnx.INodeProto[];
  /** Element type (TensorProto.DataType) of every value: inputs, initializers, node outputs. */
  types: Map<string, number>;
  /** Element types of a node's inputs. */
  inputTypes(node: onnx.INodeProto): number[];
}

/**
 * Decodes ModelProto bytes and propagates element types in node order: Cast → its `to`; every other op the builders
 * emit (Gather, Gemm, Add, Mul, Reshape, Split, RMS/LayerNormalization, RotaryEmbedding, Attention, Gelu, ReduceMean,
 * Identity) → the type of its first input.
 */
export function typedGraph(bytes: Uint8Array): TypedGraph {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const types = new Map<string, number>();
  for (const i of graph.input ?? []) types.set(i.name!, i.type!.tensorType!.elemType!);
  for (const t of graph.initializer ?? []) types.set(t.name!, t.dataType!);
  const nodes = graph.node ?? [];
  for (const n of nodes) {
    const t =
      n.opType === 'Cast' ? num(n.attribute!.find((a) => a.name === 'to')!.i) : types.get(n.input![0]);
    if (t === undefined) throw new Error(`no type for input ${n.input![0]} of ${n.name}`);
    for (const o of n.output ?? []) types.set(o, t);
  }
  return {
    model,
    nodes,
    types,
    inputTypes: (n) => (n.input ?? []).filter((x) => x !== '').map((x) => types.get(x)!),
  };
}

/** Max |a − b| over all elements (Infinity for a length mismatch or NaN). */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
