/**
 * Safetensors writer (deterministic: tensors in the given order, header padded with spaces to 8 bytes).
 * Used by the tiny model generator, tests and benchmarks. Format: huggingface/safetensors README.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { DTYPE_BYTES, type SafeDtype } from './dtypes';

export interface TensorToWrite {
  name: string;
  dtype: SafeDtype;
  shape: number[];
  /** Little-endian bytes, length = prod(shape) × dtype size; or a producer called once at write time. */
  data: Uint8Array | (() => Uint8Array);
}

/** Builds the header bytes (length prefix + padded JSON) and each tensor's data offset. */
export function safetensorsHeader(
  tensors: Array<Pick<TensorToWrite, 'name' | 'dtype' | 'shape'>>,
  metadata?: Record<string, string>,
  /** Extra spaces in the header, to place data at an unaligned offset in tests. */
  extraPadding = 0,
): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (json.length % 8)) % 8;
  json += ' '.repeat(pad + extraPadding);
  const buf = Buffer.alloc(8 + Buffer.byteLength(json));
  buf.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  buf.write(json, 8, 'utf8');
  return buf;
}

/**
 * Writes a safetensors file atomically (temp file, fsync, rename). Tensor data producers are called one at a
 * time so a large synthetic file never sits in memory whole.
 * @throws Error when a tensor's byte length does not match its shape and dtype.
 */
export function writeSafetensors(
  path: string,
  tensors: TensorToWrite[],
  metadata?: Record<string, string>,
  extraPadding = 0,
): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    const head = safetensorsHeader(tensors, metadata, extraPadding);
    writeSync(fd, head);
    for (const t of tensors) {
      const bytes = typeof t.data === 'function' ? t.data() : t.data;
      const expected = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
      if (bytes.byteLength !== expected) {
        throw new Error(`writeSafetensors: ${t.name} has ${bytes.byteLength} bytes, expected ${expected}`);
      }
      let done = 0;
      while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
