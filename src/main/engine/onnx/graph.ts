/**
 * A small typed DSL over the ONNX protobuf (onnx-proto): values carry their element type, nodes are appended in order,
 * weights are initializers whose data stays in the original .safetensors files (external data at the tensor's byte
 * offset, runtime-notes.md §1). `toModel()` returns ModelProto bytes plus the folder ORT must resolve locations against.
 * Format: onnx/onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto.external_data).
 */
import { relative, sep, dirname } from 'node:path';
import { onnx } from 'onnx-proto';
import type { TensorInfo } from '../safetensors/reader';
import { ONNX_DTYPE, NO_BF16_KERNEL_OPS, elemTypeOfSafe, isFloatType, type ElemType } from './types';

export type Dim = number | string;

/** A value flowing through the graph: its name, element type and (when known) its static rank. */
export interface Value {
  readonly name: string;
  readonly type: ElemType;
}

export type AttrValue = number | string | number[] | string[] | { float: number } | { floats: number[] };

export interface OpOptions {
  domain?: string;
  /** Number of outputs (default 1). */
  outputs?: number;
  /** Element type of the outputs when it differs from the first float input (Cast, Shape, comparisons…). */
  outType?: ElemType | ElemType[];
  /** Name prefix for readability in profiles and errors. */
  name?: string;
}

interface ExternalInit {
  info: TensorInfo;
  name: string;
}

/** Thrown when a graph would need a kernel that the target execution provider lacks (a build bug, not user input). */
export class GraphBuildError extends Error {}

/** Builds one ONNX graph (see file header); refuses bf16 inputs to ops without a CUDA bf16 kernel (GraphBuildError). */
export class GraphBuilder {
  readonly name: string;
  readonly opset: number;
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly embedded: onnx.ITensorProto[] = [];
  private readonly external = new Map<string, ExternalInit>();
  private readonly used = new Set<string>();
  private counter = 0;
  private readonly constCache = new Map<string, Value>();

  constructor(name: string, opts: { opset?: number } = {}) {
    this.name = name;
    this.opset = opts.opset ?? 23;
  }

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.used.has(n));
    this.used.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new GraphBuildError(`duplicate value name ${name}`);
    this.used.add(name);
    return name;
  }

  /** Declares a graph input. Dims may be numbers or symbolic names (e.g. 'batch', 'tokens'). */
  input(name: string, type: ElemType, dims: Dim[]): Value {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return { name, type };
  }

  /**
   * Marks `v` as a graph output under `name`. The producing node's output is renamed in place (an Identity node would
   * make ORT's optimizer run every pass twice on large graphs); graph inputs and initializers get an Identity.
   */
  output(v: Value, name: string, dims?: Dim[]): void {
    const producer = v.name === name ? undefined : this.nodes.find((n) => n.output?.includes(v.name));
    if (v.name !== name && producer) {
      this.claim(name);
      producer.output = producer.output!.map((o) => (o === v.name ? name : o));
      for (const n of this.nodes) n.input = n.input?.map((i) => (i === v.name ? name : i));
      for (const o of this.outputs) if (o.name === v.name) o.name = name;
    } else if (v.name !== name) {
      this.op('Identity', [v], {}, { name });
      this.nodes[this.nodes.length - 1].output = [this.claim(name)];
    }
    this.outputs.push(valueInfo(name, v.type, dims));
  }

  /**
   * A weight whose bytes stay in its safetensors file. Deduplicated by tensor name; the initializer's element type
   * is the on-disk dtype (bf16 stays bf16: cast it with `cast` where compute needs another type).
   */
  weight(info: TensorInfo): Value {
    const name = `w:${info.name}`;
    const known = this.external.get(name);
    if (known) return { name, type: elemTypeOfSafe(known.info.dtype) };
    this.claim(name);
    this.external.set(name, { info, name });
    return { name, type: elemTypeOfSafe(info.dtype) };
  }

  /** An initializer embedded in the model bytes (small tables, merged LoRA weights, constants). */
  embed(type: 'float32' | 'int64' | 'int32' | 'float16' | 'bfloat16' | 'bool' | 'uint8', dims: number[], raw: Uint8Array, name?: string): Value {
    const n = name ? this.claim(name) : this.fresh('const');
    this.embedded.push({ name: n, dataType: ONNX_DTYPE[type], dims, rawData: raw });
    return { name: n, type };
  }

  /** f32 constant (cached by content for small constants). */
  constF32(values: ArrayLike<number>, dims: number[] = [values.length]): Value {
    const key = values.length <= 16 ? `f32:${dims.join(',')}:${Array.from(values).join(',')}` : '';
    if (key && this.constCache.has(key)) return this.constCache.get(key)!;
    const arr = Float32Array.from(values);
    const v = this.embed('float32', dims, new Uint8Array(arr.buffer));
    if (key) this.constCache.set(key, v);
    return v;
  }

  /** int64 constant (shapes, axes, indices). */
  constI64(values: ArrayLike<number>, dims: number[] = [values.length]): Value {
    const key = values.length <= 16 ? `i64:${dims.join(',')}:${Array.from(values).join(',')}` : '';
    if (key && this.constCache.has(key)) return this.constCache.get(key)!;
    const arr = BigInt64Array.from(Array.from(values, (x) => BigInt(x)));
    const v = this.embed('int64', dims, new Uint8Array(arr.buffer));
    if (key) this.constCache.set(key, v);
    return v;
  }

  /** A scalar of a float type (cast from an f32 constant when the type is not f32). */
  scalar(value: number, type: ElemType = 'float32'): Value {
    const c = this.constF32([value], []);
    return type === 'float32' ? c : this.cast(c, type);
  }

  /**
   * Appends a node. Output type: `opts.outType`, else the first float input's type, else the first input's.
   * @throws GraphBuildError when a bf16 value feeds an op that has no bf16 CUDA kernel (NO_BF16_KERNEL_OPS).
   */
  op(opType: string, inputs: Array<Value | null>, attrs: Record<string, AttrValue> = {}, opts: OpOptions = {}): Value[] {
    const domain = opts.domain ?? '';
    if (domain === '' && NO_BF16_KERNEL_OPS.has(opType) && inputs.some((v) => v?.type === 'bfloat16')) {
      throw new GraphBuildError(`${opType} has no bf16 kernel on CUDA: keep its input in float32 (graph ${this.name})`);
    }
    const nOut = opts.outputs ?? 1;
    const firstFloat = inputs.find((v): v is Value => !!v && isFloatType(v.type));
    const fallback = firstFloat?.type ?? inputs.find((v): v is Value => !!v)?.type ?? 'float32';
    const outTypes = Array.isArray(opts.outType)
      ? opts.outType
      : Array.from({ length: nOut }, () => (opts.outType as ElemType | undefined) ?? fallback);
    const prefix = opts.name ?? opType;
    const outs = outTypes.map((t) => ({ name: this.fresh(prefix), type: t }));
    const node: onnx.INodeProto = {
      opType,
      domain,
      name: this.fresh(`n_${prefix}`),
      input: inputs.map((v) => (v ? v.name : '')),
      output: outs.map((o) => o.name),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    };
    this.nodes.push(node);
    return outs;
  }

  /** Single-output convenience over `op`. */
  op1(opType: string, inputs: Array<Value | null>, attrs: Record<string, AttrValue> = {}, opts: OpOptions = {}): Value {
    return this.op(opType, inputs, attrs, opts)[0];
  }

  cast(x: Value, to: ElemType): Value {
    if (x.type === to) return x;
    return this.op1('Cast', [x], { to: ONNX_DTYPE[to] }, { outType: to });
  }

  /**
   * The external-data folder and ModelProto bytes. Locations are relative to the deepest folder holding every
   * referenced file (realpaths), never with `..` (ORT refuses paths that escape the folder: runtime-notes.md §1.2).
   * @throws GraphBuildError when the weight files share no common folder (e.g. different Windows drives).
   */
  toModel(): { bytes: Uint8Array; externalDataFolder: string | null; weightCount: number } {
    const files = [...new Set([...this.external.values()].map((e) => e.info.file))];
    const folder = files.length ? commonFolder(files) : null;
    const initializers: onnx.ITensorProto[] = [...this.embedded];
    for (const { info, name } of this.external.values()) {
      const location = relative(folder!, info.file).split(sep).join('/');
      if (!location || location.startsWith('..')) throw new GraphBuildError(`weight file ${info.file} is outside ${folder}`);
      initializers.push({
        name,
        dataType: ONNX_DTYPE[elemTypeOfSafe(info.dtype)],
        dims: info.shape,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(info.offset) },
          { key: 'length', value: String(info.byteLength) },
        ],
      });
    }
    const model: onnx.IModelProto = {
      irVersion: 10,
      producerName: 'newbie-studio',
      producerVersion: GRAPH_BUILDER_VERSION,
      opsetImport: [
        { domain: '', version: this.opset },
        { domain: 'com.microsoft', version: 1 },
      ],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: initializers,
      },
    };
    const bytes = onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
    return { bytes, externalDataFolder: folder, weightCount: this.external.size };
  }

  /** Number of nodes so far (for tests and benchmarks). */
  get nodeCount(): number {
    return this.nodes.length;
  }
}

/** Version of the graph builder; part of the model identity stored with every image. */
export const GRAPH_BUILDER_VERSION = '1';

function valueInfo(name: string, type: ElemType, dims?: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[type],
        shape: dims ? { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    return { name, type: T.INTS, ints: v as number[] };
  }
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}

function commonFolder(files: string[]): string {
  let folder = dirname(files[0]);
  for (const f of files.slice(1)) {
    while (!(f.startsWith(folder + sep) || folder === dirname(folder))) folder = dirname(folder);
  }
  return folder;
}
