/**
 * Safetensors header reader with full validation, and tensor reads for the few tensors the engine needs in JS.
 * Format (huggingface/safetensors README): u64 LE header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`, then the data; offsets are relative
 * to the first byte after the header. Every problem is a `ModelInvalid` naming the file and the tensor.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { StudioError } from '../../../shared/errors';
import { DTYPE_BYTES, bytesToF32, isSafeDtype, type SafeDtype } from './dtypes';

/** Headers larger than this are refused as hostile (the real Gemma shards have ~100 kB headers). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface TensorInfo {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  /** Absolute byte offset of the tensor's data in the file. */
  offset: number;
  byteLength: number;
  /** Realpath of the file holding the data (HF cache symlinks resolved). */
  file: string;
}

export interface SafetensorsHeader {
  /** The path as given. */
  path: string;
  /** realpath(path): ONNX external data must point at the real file (runtime-notes §1.2). */
  realPath: string;
  fileSize: number;
  headerLength: number;
  dataStart: number;
  metadata: Record<string, string>;
  tensors: Map<string, TensorInfo>;
  /** The raw header JSON bytes, used for the model identity hash. */
  rawHeader: Buffer;
}

function invalid(file: string, what: string): StudioError {
  return new StudioError('ModelInvalid', `${file}: ${what}`, 'The file is damaged or not a safetensors file: download it again.');
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/**
 * Reads and validates a safetensors header.
 * @throws StudioError ModelInvalid (bad length, JSON, dtype, shape × dtype ≠ byte length, offsets outside the file,
 *   overlapping tensors), ModelIncomplete when the file does not exist.
 */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch {
    throw new StudioError('ModelIncomplete', `${path}: file not found`, 'Download the missing file or choose another model folder.');
  }
  const fd = openSync(realPath, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) throw invalid(path, `file is ${fileSize} bytes, too short for a safetensors header`);
    const lenBuf = readExactly(fd, 8, 0);
    const headerLength64 = lenBuf.readBigUInt64LE(0);
    if (headerLength64 < 2n || headerLength64 > BigInt(Math.min(MAX_HEADER_BYTES, fileSize - 8))) {
      throw invalid(path, `header length ${headerLength64} is outside 2..${Math.min(MAX_HEADER_BYTES, fileSize - 8)} (truncated or not safetensors)`);
    }
    const headerLength = Number(headerLength64);
    const rawHeader = readExactly(fd, headerLength, 8);
    let json: unknown;
    try {
      json = JSON.parse(rawHeader.toString('utf8'));
    } catch {
      throw invalid(path, 'header is not valid JSON');
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw invalid(path, 'header is not a JSON object');
    const dataStart = 8 + headerLength;
    const dataSize = fileSize - dataStart;
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    const spans: Array<[number, number, string]> = [];
    for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (entry && typeof entry === 'object') metadata = entry as Record<string, string>;
        continue;
      }
      if (!entry || typeof entry !== 'object') throw invalid(path, `tensor ${name}: entry is not an object`);
      const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
      if (dtype === undefined) throw invalid(path, `tensor ${JSON.stringify(name)} has no dtype (damaged header?)`);
      if (!isSafeDtype(dtype)) throw invalid(path, `tensor ${name}: unsupported dtype ${JSON.stringify(dtype)}`);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw invalid(path, `tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
      }
      if (
        !Array.isArray(offsets) ||
        offsets.length !== 2 ||
        !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
        offsets[0] > offsets[1]
      ) {
        throw invalid(path, `tensor ${name}: data_offsets ${JSON.stringify(offsets)} are invalid`);
      }
      const [begin, end] = offsets as [number, number];
      if (end > dataSize) {
        throw invalid(path, `tensor ${name}: data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes; file truncated?)`);
      }
      const expected = (shape as number[]).reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
      if (end - begin !== expected) {
        throw invalid(path, `tensor ${name}: ${dtype}${JSON.stringify(shape)} needs ${expected} bytes but data_offsets span ${end - begin}`);
      }
      spans.push([begin, end, name]);
      tensors.set(name, { name, dtype, shape: shape as number[], offset: dataStart + begin, byteLength: end - begin, file: realPath });
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i][0] < spans[i - 1][1]) throw invalid(path, `tensors ${spans[i - 1][2]} and ${spans[i][2]} overlap`);
    }
    return { path, realPath, fileSize, headerLength, dataStart, metadata, tensors, rawHeader };
  } finally {
    closeSync(fd);
  }
}

/** Reads one tensor's raw bytes (for small tensors only: norms, LoRA factors, test inputs). */
export function readTensorBytes(info: TensorInfo): Uint8Array {
  const fd = openSync(info.file, 'r');
  try {
    const buf = readExactly(fd, info.byteLength, info.offset);
    if (buf.length !== info.byteLength) {
      throw new StudioError('ModelInvalid', `${info.file}: tensor ${info.name}: file ends inside the tensor data`);
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads one float tensor as f32 (BF16/F16/F32/F64/I32/I64 accepted).
 * @throws StudioError ModelInvalid naming the file and tensor for any other dtype (U8, I8, BOOL…) or truncated data
 */
export function readTensorF32(info: TensorInfo): Float32Array {
  if (!['F32', 'F64', 'BF16', 'F16', 'I64', 'I32'].includes(info.dtype)) {
    throw new StudioError('ModelInvalid', `${info.file}: tensor ${info.name}: dtype ${info.dtype} cannot be read as numbers here (expected a float or I32/I64 tensor)`);
  }
  return bytesToF32(readTensorBytes(info), info.dtype);
}

/** Reads an integer tensor (I64/I32) as JS numbers (ids, masks). */
export function readTensorInts(info: TensorInfo): number[] {
  if (info.dtype !== 'I64' && info.dtype !== 'I32') {
    throw new StudioError('ModelInvalid', `${info.file}: tensor ${info.name}: expected I64/I32, found ${info.dtype}`);
  }
  return Array.from(bytesToF32(readTensorBytes(info), info.dtype));
}
