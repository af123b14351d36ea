/**
 * A component's weights across one or more safetensors files (single file, or shards listed in a
 * `*.safetensors.index.json`), with every path resolved through realpath (HF cache snapshots are symlinks).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StudioError } from '../../../shared/errors';
import { readSafetensorsHeader, readTensorF32, type SafetensorsHeader, type TensorInfo } from './reader';

export class WeightSet {
  readonly files: SafetensorsHeader[];
  readonly tensors: Map<string, TensorInfo>;

  constructor(files: SafetensorsHeader[]) {
    this.files = files;
    this.tensors = new Map();
    for (const f of files) {
      for (const [name, info] of f.tensors) {
        if (this.tensors.has(name)) {
          throw new StudioError('ModelInvalid', `${f.path}: tensor ${name} also appears in ${this.tensors.get(name)!.file}`);
        }
        this.tensors.set(name, info);
      }
    }
  }

  /** Opens one safetensors file. */
  static fromFile(path: string): WeightSet {
    return new WeightSet([readSafetensorsHeader(path)]);
  }

  /**
   * Opens the shards listed by an HF index (`{"weight_map": {name: "model-00001-of-00002.safetensors"}}`).
   * @throws ModelIncomplete naming a missing shard; ModelInvalid for a bad index or a tensor not in its shard.
   */
  static fromIndex(indexPath: string): WeightSet {
    let weightMap: Record<string, string>;
    try {
      const json = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map?: Record<string, string> };
      if (!json.weight_map || typeof json.weight_map !== 'object') throw new Error('no weight_map');
      weightMap = json.weight_map;
    } catch (e) {
      throw new StudioError('ModelInvalid', `${indexPath}: not a valid safetensors index (${(e as Error).message})`);
    }
    const dir = dirname(indexPath);
    const shardNames = [...new Set(Object.values(weightMap))].sort();
    const files: SafetensorsHeader[] = [];
    for (const shard of shardNames) {
      const p = join(dir, shard);
      if (!existsSync(p)) {
        throw new StudioError('ModelIncomplete', `${p}: shard listed in ${indexPath} is missing`, 'Download the missing shard again.');
      }
      files.push(readSafetensorsHeader(p));
    }
    const set = new WeightSet(files);
    for (const [name, shard] of Object.entries(weightMap)) {
      const info = set.tensors.get(name);
      if (!info) throw new StudioError('ModelInvalid', `${join(dir, shard)}: tensor ${name} listed in the index is not in the file`);
    }
    return set;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** @throws ModelInvalid naming the tensor when it is absent. */
  get(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) {
      throw new StudioError('ModelInvalid', `${this.describe()}: tensor ${name} is missing`);
    }
    return t;
  }

  /** Reads a small tensor as f32. */
  readF32(name: string): Float32Array {
    return readTensorF32(this.get(name));
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Sum of sizes of the real files (bytes on disk). */
  sizeOnDisk(): number {
    return this.files.reduce((a, f) => a + f.fileSize, 0);
  }

  describe(): string {
    return this.files.length === 1 ? this.files[0].path : `${this.files[0].path} (+${this.files.length - 1} shards)`;
  }

  /** Real folders holding the data; used to pick the session's external-data folder. */
  realDirs(): string[] {
    return [...new Set(this.files.map((f) => dirname(realpathSync(f.realPath))))];
  }
}
