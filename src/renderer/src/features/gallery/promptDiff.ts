/**
 * Structural diff of two generations (peer-apps.md §4.4): per block (`<character_N>`, `<general_tags>`, caption,
 * style, other parts), per field, per tag (added / removed danbooru tags), plus the parameters (seed, steps,
 * guidance, size, sampler, precision, provider…). Pure: the compare view renders what this returns.
 */
import { promptToComposer, splitTags, type ComposerField } from '../../../../shared/prompt';
import type { HistoryEntry } from '../../../../shared/apiTypes';
import { formatPlan } from '../../lib/format';

export type DiffStatus = 'same' | 'changed' | 'added' | 'removed';

export interface TagDiff {
  tag: string;
  status: 'same' | 'added' | 'removed';
}

export interface FieldDiff {
  /** Block label: `character_1`, `general_tags`, `caption`, `style`, `other`, or `prompt` for non-XML prompts. */
  block: string;
  /** Field tag (`clothing`), or the block itself for single-value parts. */
  field: string;
  left: string | null;
  right: string | null;
  status: DiffStatus;
  /** Tag by tag, for comma-separated values: left's order first, then the tags only the right has. */
  tags: TagDiff[];
}

interface Part {
  block: string;
  field: string;
  value: string;
}

function fieldParts(block: string, fields: readonly ComposerField[]): Part[] {
  const seen = new Map<string, number>();
  return fields.map((f) => {
    const n = (seen.get(f.tag) ?? 0) + 1;
    seen.set(f.tag, n);
    return { block, field: n === 1 ? f.tag : `${f.tag} (${n})`, value: f.value };
  });
}

/** The prompt as comparable parts: one per field of every block, one per caption/style/extra. */
export function promptParts(text: string): Part[] {
  const m = promptToComposer(text);
  const out: Part[] = [];
  if (m.characters.length === 0 && m.general === null && m.caption === null && m.style === null) {
    return text.trim() === '' ? [] : [{ block: 'prompt', field: 'prompt', value: text.trim() }];
  }
  if (m.style !== null) out.push({ block: 'style', field: 'style', value: m.style });
  if (m.caption !== null) out.push({ block: 'caption', field: 'caption', value: m.caption });
  for (const c of m.characters) out.push(...fieldParts(`character_${c.index}`, c.fields));
  if (m.general) out.push(...fieldParts('general_tags', m.general));
  m.extras.forEach((e, i) => out.push({ block: 'other', field: `part ${i + 1}`, value: e }));
  return out;
}

/** Tag-level diff of two comma-separated values (exact tag text compared, whitespace trimmed). */
export function diffTags(left: string | null, right: string | null): TagDiff[] {
  const l = left === null ? [] : splitTags(left);
  const r = right === null ? [] : splitTags(right);
  const rs = new Set(r);
  const ls = new Set(l);
  return [
    ...l.map((tag): TagDiff => ({ tag, status: rs.has(tag) ? 'same' : 'removed' })),
    ...r.filter((t) => !ls.has(t)).map((tag): TagDiff => ({ tag, status: 'added' })),
  ];
}

/** Field-by-field diff of two prompts, in the left prompt's order with the right's extra fields after their block. */
export function diffPrompts(left: string, right: string): FieldDiff[] {
  const lp = promptParts(left);
  const rp = promptParts(right);
  const key = (p: Part) => `${p.block}\u0000${p.field}`;
  const rmap = new Map(rp.map((p) => [key(p), p]));
  const lkeys = new Set(lp.map(key));
  const order: Part[] = [...lp];
  for (const p of rp) {
    if (lkeys.has(key(p))) continue;
    // Place a right-only field after the last field of the same block, else at the end.
    let at = -1;
    for (let i = 0; i < order.length; i++) if (order[i].block === p.block) at = i;
    order.splice(at < 0 ? order.length : at + 1, 0, p);
  }
  const lmap = new Map(lp.map((p) => [key(p), p]));
  return order.map((p) => {
    const l = lmap.get(key(p))?.value ?? null;
    const r = rmap.get(key(p))?.value ?? null;
    const status: DiffStatus = l === null ? 'added' : r === null ? 'removed' : l === r ? 'same' : 'changed';
    return { block: p.block, field: p.field, left: l, right: r, status, tags: diffTags(l, r) };
  });
}

export interface ParamDiff {
  name: string;
  left: string;
  right: string;
  same: boolean;
}

const show = (v: unknown): string =>
  v === null || v === undefined || v === '' ? '–' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The parameters of two generations side by side (request fields, then how they ran). */
export function diffParams(a: HistoryEntry, b: HistoryEntry): ParamDiff[] {
  const rows: Array<[string, unknown, unknown]> = [
    ['Seed', a.request.seed, b.request.seed],
    ['Size', `${a.request.width}×${a.request.height}`, `${b.request.width}×${b.request.height}`],
    ['Steps', a.request.steps, b.request.steps],
    ['Guidance', a.request.guidance, b.request.guidance],
    ['Shift', a.request.shift, b.request.shift],
    ['CFG truncation', a.request.cfgTrunc, b.request.cfgTrunc],
    ['CFG renorm', a.request.renormCfg, b.request.renormCfg],
    ['Sampler', a.request.sampler, b.request.sampler],
    ['Batch', a.request.batch, b.request.batch],
    ['Precision', a.request.precision, b.request.precision],
    ['Resolved dtypes', formatPlan(a.precision), formatPlan(b.precision)],
    ['Provider', a.provider, b.provider],
    ['Negative prompt', a.request.negativePrompt, b.request.negativePrompt],
    ['Model', a.modelName ?? a.modelIdentity, b.modelName ?? b.modelIdentity],
    ['App version', a.appVersion, b.appVersion],
  ];
  return rows.map(([name, l, r]) => ({ name, left: show(l), right: show(r), same: show(l) === show(r) }));
}
