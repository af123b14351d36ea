/**
 * Model identity: what PNG metadata and history store so a generation can name the exact weights it used
 * (conventions.md §6). sha256 over the graph builder's version, then per component (fixed order) its resolved config
 * and, per weight file in order, the file size and the raw safetensors header bytes; then the tokenizer.json bytes.
 * Paths are not hashed, so a moved folder, a copy, or an HF cache snapshot of the same files has the same identity.
 * Reading headers only (plus the tokenizer files, a few MB) keeps it fast on a 15 GB model.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { WeightSet } from '../engine/safetensors';
import type { ModelPackage } from './layout';

/**
 * Version of the graph builders' output for a given package. Bump it whenever a builder change alters numerics, so
 * identities (and the re-run promise "same identity + request → same pixels") stay truthful.
 */
export const GRAPH_BUILDER_VERSION = 'newbie-graphs/1';

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function hashWeights(h: ReturnType<typeof createHash>, weights: WeightSet): void {
  for (const f of weights.files) {
    h.update(`file ${f.fileSize} ${f.rawHeader.length}\n`);
    h.update(f.rawHeader);
  }
}

/**
 * @returns "sha256:<64 hex>" identifying the package's weights, configs, tokenizers and GRAPH_BUILDER_VERSION.
 * @throws Node fs errors only if a tokenizer file vanished since resolveModelFolder.
 */
export function modelIdentity(pkg: ModelPackage, graphBuilderVersion: string = GRAPH_BUILDER_VERSION): string {
  const h = createHash('sha256');
  h.update(`${graphBuilderVersion}\n`);
  const parts: Array<[string, WeightSet, unknown]> = [
    ['transformer', pkg.transformer.weights, pkg.transformer.config],
    ['text_encoder', pkg.gemma.weights, pkg.gemma.config],
    ['clip_model', pkg.jina.weights, { config: pkg.jina.config ?? null, text: pkg.jina.text }],
    ['vae', pkg.vae.weights, pkg.vae.config],
  ];
  for (const [name, weights, config] of parts) {
    h.update(`component ${name}\n${canonicalJson(config)}\n`);
    hashWeights(h, weights);
  }
  for (const t of [pkg.tokenizers.gemma, pkg.tokenizers.jina]) {
    h.update('tokenizer\n');
    h.update(readFileSync(t.json));
  }
  return `sha256:${h.digest('hex')}`;
}
