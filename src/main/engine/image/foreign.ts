/**
 * Readers for other studios' metadata (conventions.md §10). Field names come from the files those tools write
 * (examples: ../shared/data/foreign-images, from d3x-at/sd-parsers' test resources) and their sources:
 * Fooocus `modules/meta_parser.py` (FooocusMetadataParser), NovelAI PNG text (Description + Comment JSON),
 * InvokeAI `invokeai_metadata` (3.x+), `sd-metadata` and `Dream` (2.x: negative prompt in [brackets]),
 * ComfyUI `prompt` (API graph: {id: {class_type, inputs}}, links as [nodeId, slot]).
 */
import { RestoredRequest } from './restore';

export interface LabelledText {
  label: string;
  text: string;
}

function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a `parameters` text is JSON (Fooocus) rather than A1111 infotext. */
export function isJsonText(text: string): boolean {
  return text.trimStart().startsWith('{') && parseJsonObject(text) !== undefined;
}

/** Fooocus `parameters` JSON (metadata_scheme "fooocus"). */
export function fromFooocus(text: string): RestoredRequest | undefined {
  const j = parseJsonObject(text);
  if (!j || !('prompt' in j || 'full_prompt' in j)) return undefined;
  const r = new RestoredRequest('Fooocus');
  r.text('prompt', j['prompt']);
  r.text('negativePrompt', j['negative_prompt']);
  r.seed(j['seed']);
  r.steps(j['steps']);
  r.real('guidance', j['guidance_scale']);
  // Fooocus writes str((width, height)).
  const m =
    typeof j['resolution'] === 'string' ? /^\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(j['resolution']) : null;
  if (m) r.size(m[1], m[2]);
  r.sampler(j['sampler']);
  if (Array.isArray(j['full_prompt']))
    r.note('Fooocus: the prompt before its expansion and styles was restored.');
  return r;
}

/** NovelAI: `Description` is the prompt, `Comment` JSON holds seed, steps, scale (guidance), uc (negative). */
export function fromNovelAi(chunks: Map<string, string>): RestoredRequest | undefined {
  const comment = parseJsonObject(chunks.get('Comment'));
  if (!comment || (chunks.get('Software') !== 'NovelAI' && !('uc' in comment))) return undefined;
  const r = new RestoredRequest('NovelAI');
  r.text('prompt', chunks.get('Description') ?? comment['prompt']);
  r.text('negativePrompt', comment['uc']);
  r.seed(comment['seed']);
  r.steps(comment['steps']);
  r.real('guidance', comment['scale']);
  if (comment['width'] !== undefined) r.size(comment['width'], comment['height']);
  r.sampler(comment['sampler']);
  return r;
}

/** InvokeAI 2.x prompt syntax: `[…]` segments are the negative prompt. */
function splitBracketNegative(prompt: string, r: RestoredRequest): void {
  const negatives = [...prompt.matchAll(/\[([^\][]*)\]/g)].map((m) => m[1].trim()).filter(Boolean);
  r.text(
    'prompt',
    prompt
      .replace(/\[[^\][]*\]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  r.text('negativePrompt', negatives.join(', '));
  if (negatives.length)
    r.note('InvokeAI: the negative prompt was taken from the [bracketed] parts of the prompt.');
}

/** InvokeAI, newest format first: `invokeai_metadata`, then `sd-metadata`, then the `Dream` command line. */
export function fromInvokeAi(chunks: Map<string, string>): RestoredRequest | undefined {
  const meta = parseJsonObject(chunks.get('invokeai_metadata'));
  if (meta) {
    const r = new RestoredRequest('InvokeAI');
    r.text('prompt', meta['positive_prompt']);
    r.text('negativePrompt', meta['negative_prompt']);
    r.seed(meta['seed']);
    r.steps(meta['steps']);
    r.real('guidance', meta['cfg_scale']);
    if (meta['width'] !== undefined) r.size(meta['width'], meta['height']);
    r.sampler(meta['scheduler']);
    return r;
  }
  const sd = parseJsonObject(chunks.get('sd-metadata'));
  const imageField = sd?.['image'];
  const image =
    imageField && typeof imageField === 'object' && !Array.isArray(imageField)
      ? (imageField as Record<string, unknown>)
      : undefined;
  if (image) {
    const r = new RestoredRequest('InvokeAI');
    const p = image['prompt'];
    const text = Array.isArray(p)
      ? p
          .map((e) =>
            e && typeof e === 'object' ? String((e as Record<string, unknown>)['prompt'] ?? '') : String(e),
          )
          .join(' ')
      : p;
    if (typeof text === 'string') splitBracketNegative(text, r);
    r.seed(image['seed']);
    r.steps(image['steps']);
    r.real('guidance', image['cfg_scale']);
    if (image['width'] !== undefined) r.size(image['width'], image['height']);
    r.sampler(image['sampler']);
    return r;
  }
  const dream = chunks.get('Dream');
  const m = dream === undefined ? null : /^\s*"((?:\\.|[^"\\])*)"(.*)$/s.exec(dream);
  if (!m) return undefined;
  const r = new RestoredRequest('InvokeAI');
  splitBracketNegative(m[1].replace(/\\(.)/g, '$1'), r);
  const opt = (flag: string) => new RegExp(`(?:^|\\s)${flag}\\s+(\\S+)`).exec(m[2])?.[1];
  r.steps(opt('-s'));
  r.seed(opt('-S'));
  r.real('guidance', opt('-C'));
  if (opt('-W') !== undefined) r.size(opt('-W'), opt('-H'));
  r.sampler(opt('-A'));
  return r;
}

/**
 * ComfyUI `prompt` graph: only the texts of its text-encode nodes, labelled by node. The prompt and negative are
 * restored only when exactly one sampler wires `positive` / `negative` straight to text-encode nodes; sampler
 * settings of a graph are not restored.
 */
export function fromComfyUi(
  text: string | undefined,
): { restored: RestoredRequest; texts: LabelledText[] } | undefined {
  const graph = parseJsonObject(text);
  if (!graph) return undefined;
  type Node = { class_type?: unknown; inputs?: Record<string, unknown> };
  const nodes = Object.entries(graph).filter(([, n]) => n && typeof n === 'object') as Array<[string, Node]>;
  if (!nodes.some(([, n]) => typeof n.class_type === 'string')) return undefined;
  const r = new RestoredRequest('ComfyUI');
  const texts: LabelledText[] = [];
  const textOf = new Map<string, string>();
  for (const [id, n] of nodes) {
    if (typeof n.class_type !== 'string' || !/TextEncode/i.test(n.class_type)) continue;
    const parts = Object.entries(n.inputs ?? {}).filter(
      ([k, v]) => typeof v === 'string' && /^(text|text_g|text_l|clip_l|t5xxl|prompt)$/.test(k),
    );
    for (const [k, v] of parts)
      texts.push({
        label: `${n.class_type} node ${id}${parts.length > 1 ? ` (${k})` : ''}`,
        text: v as string,
      });
    if (parts.length === 1) textOf.set(id, parts[0][1] as string);
  }
  const samplers = nodes.filter(
    ([, n]) => n.inputs && Array.isArray(n.inputs['positive']) && Array.isArray(n.inputs['negative']),
  );
  const linked = (link: unknown) => (Array.isArray(link) ? textOf.get(String(link[0])) : undefined);
  if (samplers.length === 1) {
    const inputs = samplers[0][1].inputs ?? {};
    const pos = linked(inputs['positive']);
    const neg = linked(inputs['negative']);
    if (pos !== undefined) r.text('prompt', pos);
    if (neg !== undefined) r.text('negativePrompt', neg);
  }
  if (r.request.prompt === undefined) {
    r.note(
      `ComfyUI: ${texts.length} text-encode node text(s) and ${samplers.length} sampler(s); no single prompt to restore: pick one of the labelled texts.`,
    );
  }
  r.note('ComfyUI: seed, steps, CFG and size of a node graph are not restored.');
  return { restored: r, texts };
}
