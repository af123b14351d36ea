/**
 * A1111 "infotext" (the `parameters` PNG text that most tools read): prompt lines, an optional
 * `Negative prompt: …` block, and a last line of `Key: value` pairs joined by ", ".
 * Format source: AUTOMATIC1111/stable-diffusion-webui `modules/processing.py` `create_infotext` (values quoted with
 * JSON when they contain ',', ':' or a newline) and `modules/infotext_utils.py` `parse_generation_parameters`
 * (`re_param`, last line counts as parameters when it holds at least 3 pairs).
 * Unlike A1111 we do not strip each prompt line, so XML indentation survives a round trip.
 */
import type { GenerationRequest, PrecisionPlan, ProviderName } from '../../../shared/dto';
import { RestoredRequest } from './restore';

export interface InfotextContext {
  /** Model shown to other tools: a name and our model identity hash (first 10 hex digits are written). */
  model: { name: string; hash?: string };
  /** Resolved dtype per component. */
  precision: PrecisionPlan;
  provider: ProviderName;
}

export interface ParsedInfotext {
  prompt: string;
  negativePrompt: string;
  /** Every `Key: value` pair of the last line, unquoted; `Size` also as `Size-1` (width) and `Size-2` (height). */
  params: Record<string, string>;
  /** What maps onto a NewBie request (sampler names are not mapped). */
  request: Partial<GenerationRequest>;
  notes: string[];
}

const SAMPLER_NAMES: Record<GenerationRequest['sampler'], string> = { euler: 'Euler', midpoint: 'Midpoint' };
// A1111's re_param with its unbounded runs capped: `\s*` and `[\w \-/]+` backtrack over every start position, which
// made a 100 kB line without colons take ~40 s (a dropped file could freeze main). Real keys are short ("Steps",
// "Hires upscaler", "ADetailer denoising strength"), and one space follows each comma.
const PARAM_RE = /\s{0,16}(\w[\w \-/]{0,63}):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;
/** A last line longer than this is prompt text, not parameters (real ones are a few kB; bounds the scan). */
const MAX_PARAMS_LINE = 64 * 1024;
const SIZE_RE = /^(\d+)x(\d+)$/;

/** A1111 `quote`: JSON-quote a value holding ',', ':' or a newline. */
function quote(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value;
}

/**
 * Writes the A1111 infotext of one image.
 * Pass the image's own seed in `request.seed` (batch image i: seed + i) so the text reproduces that image.
 * NUL characters (which PNG text cannot hold) are dropped here; the exact prompt is in the `newbie` chunk.
 * @returns text such as "1girl\nNegative prompt: lowres\nSteps: 28, Sampler: Euler, CFG scale: 5, Seed: 1, Size: 1024x1024, …"
 */
export function toInfotext(request: GenerationRequest, ctx: InfotextContext): string {
  const params: Array<[string, string | number]> = [
    ['Steps', request.steps],
    ['Sampler', SAMPLER_NAMES[request.sampler] ?? request.sampler],
    ['CFG scale', request.guidance],
    ['Seed', request.seed],
    ['Size', `${request.width}x${request.height}`],
  ];
  if (ctx.model.hash) params.push(['Model hash', ctx.model.hash.slice(0, 10)]);
  params.push(
    ['Model', ctx.model.name],
    ['Shift', request.shift],
    ['CFG truncation', request.cfgTrunc],
    ['CFG renorm', request.renormCfg],
    [
      'Precision',
      (['gemma', 'jina', 'dit', 'vae'] as const).map((c) => `${c} ${ctx.precision[c]}`).join(' '),
    ],
    ['Provider', ctx.provider],
  );
  const line = params.map(([k, v]) => `${k}: ${quote(String(v))}`).join(', ');
  const clean = (s: string) => s.replaceAll('\u0000', '');
  const negative = request.negativePrompt ? `\nNegative prompt: ${clean(request.negativePrompt)}` : '';
  return `${clean(request.prompt)}${negative}\n${line}`;
}

function unquote(v: string): string {
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) {
    try {
      const s: unknown = JSON.parse(v);
      if (typeof s === 'string') return s;
    } catch {
      // not JSON: keep as written
    }
  }
  return v;
}

/**
 * Reads an A1111 infotext (ours or another tool's).
 * @param text the `parameters` text (CRLF tolerated)
 * @param origin label for notes (e.g. "A1111 parameters")
 */
export function parseInfotext(text: string, origin = 'A1111 parameters'): ParsedInfotext {
  // Only trailing whitespace is dropped (A1111 strips both ends, which would eat a prompt's leading newline).
  const lines = text.trimEnd().split('\n');
  let last = lines[lines.length - 1];
  const params: Record<string, string> = {};
  const pairs = last.length > MAX_PARAMS_LINE ? [] : [...last.trim().matchAll(PARAM_RE)].filter((m) => m[0].trim() !== '');
  if (pairs.length >= 3) {
    lines.pop();
  } else {
    last = '';
  }
  const promptLines: string[] = [];
  const negativeLines: string[] = [];
  let inNegative = false;
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!inNegative && line.trimStart().startsWith('Negative prompt:')) {
      inNegative = true;
      negativeLines.push(line.trimStart().slice('Negative prompt:'.length).replace(/^ /, ''));
    } else if (inNegative) {
      negativeLines.push(line);
    } else {
      promptLines.push(line);
    }
  }
  if (last) {
    for (const m of pairs) {
      const key = m[1].trim();
      const value = unquote(m[2].trim());
      params[key] = value;
      const size = SIZE_RE.exec(value);
      if (size) {
        params[`${key}-1`] = size[1];
        params[`${key}-2`] = size[2];
      }
    }
  }
  const prompt = promptLines.join('\n');
  const negativePrompt = negativeLines.join('\n');
  const r = new RestoredRequest(origin);
  r.text('prompt', prompt);
  r.text('negativePrompt', negativePrompt);
  r.steps(params['Steps']);
  r.real('guidance', params['CFG scale']);
  r.seed(params['Seed']);
  if (params['Size-1'] !== undefined) r.size(params['Size-1'], params['Size-2']);
  r.real('shift', params['Shift']);
  r.real('cfgTrunc', params['CFG truncation']);
  r.real('renormCfg', params['CFG renorm']);
  r.sampler(params['Sampler']);
  return { prompt, negativePrompt, params, request: r.request, notes: r.notes };
}
