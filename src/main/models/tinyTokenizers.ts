/**
 * Tokenizer files for the tiny model, in the formats of the real ones (tokenizers `tokenizer.json` v1.0 +
 * transformers `tokenizer_config.json` / `special_tokens_map.json`), small enough to read.
 * - Gemma3 (newbie-model.md §1.6): BPE with byte_fallback, normalizer " " → "▁", a TemplateProcessing post-processor
 *   that prepends `<bos>`; `<pad>`=0 `<eos>`=1 `<bos>`=2 `<unk>`=3, then `<mask>` and the 256 byte tokens `<0x00>`…
 * - Jina CLIP v2 / XLM-R (§1.7): Unigram + Metaspace + RobertaProcessing; `<s>`=0 `<pad>`=1 `</s>`=2 `<unk>`=3,
 *   `<mask>` last (as in XLM-R, id 250001 there).
 * Vocabularies are padded with `<unusedN>` tokens to a multiple of 64; the embedding tables use the same size.
 */

/** Words that get whole tokens, so sample prompts tokenize to realistic lengths. */
const WORDS = [
  'character', 'general', 'tags', 'gender', 'appearance', 'clothing', 'expression', 'action', 'position', 'count',
  'style', 'background', 'quality', 'atmosphere', 'objects', 'other', 'girl', 'girls', 'boy', 'solo', 'hair', 'eyes',
  'long', 'short', 'blue', 'red', 'white', 'black', 'smile', 'happy', 'school', 'uniform', 'standing', 'sitting',
  'simple', 'anime', 'high', 'detailed', 'center', 'left', 'right', 'looking', 'at', 'viewer', 'the', 'and', 'of',
  'a', 'an', 'with', 'in', 'resolution', 'masterpiece', 'multiple', 'digital', 'art',
];

/** Printable ASCII except space (space is "▁" in both tokenizers). */
const ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));

function padTo64(n: number): number {
  return 64 * Math.ceil(n / 64);
}

interface AddedToken {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

function added(id: number, content: string, lstrip = false): AddedToken {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true };
}

function decoderMap(tokens: AddedToken[]): Record<string, Omit<AddedToken, 'id'>> {
  const out: Record<string, Omit<AddedToken, 'id'>> = {};
  for (const { id, ...rest } of tokens) out[String(id)] = rest;
  return out;
}

export interface TokenizerFiles {
  /** tokenizer.json text. */
  tokenizer: string;
  /** tokenizer_config.json text. */
  config: string;
  /** special_tokens_map.json text. */
  specialTokensMap: string;
  /** Number of ids (= embedding rows). */
  vocabSize: number;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** Gemma3-style BPE tokenizer (byte fallback, `<bos>` prepended, no `<eos>`). */
export function gemmaTokenizerFiles(): TokenizerFiles {
  const specials = ['<pad>', '<eos>', '<bos>', '<unk>', '<mask>'];
  const vocab = new Map<string, number>();
  const add = (t: string) => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  specials.forEach(add);
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  add('▁');
  ASCII.forEach(add);
  // Left-to-right merge chains: "▁girl" = ((("▁"+"g")+"i")+"r")+"l"; every intermediate is a token.
  const merges: Array<[string, string]> = [];
  const seen = new Set<string>();
  const xmlPieces = ['<', '</', '>', '_'];
  for (const word of [...WORDS.map((w) => `▁${w}`), ...WORDS, ...xmlPieces]) {
    const chars = [...word];
    let cur = chars[0];
    for (const c of chars.slice(1)) {
      const key = `${cur} ${c}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([cur, c]);
      }
      cur += c;
      add(cur);
    }
  }
  const size = padTo64(vocab.size);
  for (let i = 0; vocab.size < size; i++) add(`<unused${i}>`);
  const addedTokens = [added(0, '<pad>'), added(1, '<eos>'), added(2, '<bos>'), added(3, '<unk>'), added(4, '<mask>')];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<bos>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<bos>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<bos>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<bos>': { id: '<bos>', ids: [2], tokens: ['<bos>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const config = {
    add_bos_token: true,
    add_eos_token: false,
    added_tokens_decoder: decoderMap(addedTokens),
    bos_token: '<bos>',
    clean_up_tokenization_spaces: false,
    eos_token: '<eos>',
    model_max_length: 1e30,
    pad_token: '<pad>',
    spaces_between_special_tokens: false,
    tokenizer_class: 'GemmaTokenizer',
    unk_token: '<unk>',
    use_default_system_prompt: false,
  };
  const specialTokensMap = { bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>', unk_token: '<unk>' };
  return { tokenizer: json(tokenizer), config: json(config), specialTokensMap: json(specialTokensMap), vocabSize: size };
}

/** XLM-R-style Unigram tokenizer for Jina CLIP v2 (`<s>` … `</s>`). */
export function jinaTokenizerFiles(): TokenizerFiles {
  const pieces: Array<[string, number]> = [
    ['<s>', 0],
    ['<pad>', 0],
    ['</s>', 0],
    ['<unk>', 0],
  ];
  const seen = new Set(pieces.map((p) => p[0]));
  const push = (p: string, score: number) => {
    if (!seen.has(p)) {
      seen.add(p);
      pieces.push([p, score]);
    }
  };
  push('▁', -4);
  for (const w of WORDS) push(`▁${w}`, -6 - w.length * 0.01);
  for (const w of WORDS) push(w, -6.5 - w.length * 0.01);
  for (const p of ['<', '</', '>', '_', ',']) push(p, -5);
  ASCII.forEach((c) => push(c, -9));
  ASCII.forEach((c) => push(`▁${c}`, -10));
  const size = padTo64(pieces.length + 1);
  for (let i = 0; pieces.length < size - 1; i++) push(`<unused${i}>`, -100);
  const maskId = pieces.length;
  pieces.push(['<mask>', 0]);
  const addedTokens = [added(0, '<s>'), added(1, '<pad>'), added(2, '</s>'), added(3, '<unk>'), added(maskId, '<mask>', true)];
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: true },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 3, vocab: pieces, byte_fallback: false },
  };
  const config = {
    added_tokens_decoder: decoderMap(addedTokens),
    bos_token: '<s>',
    clean_up_tokenization_spaces: true,
    cls_token: '<s>',
    eos_token: '</s>',
    mask_token: '<mask>',
    model_max_length: 8194,
    pad_token: '<pad>',
    sep_token: '</s>',
    tokenizer_class: 'XLMRobertaTokenizer',
    unk_token: '<unk>',
  };
  const specialTokensMap = {
    bos_token: '<s>',
    cls_token: '<s>',
    eos_token: '</s>',
    mask_token: { content: '<mask>', lstrip: true, normalized: false, rstrip: false, single_word: false },
    pad_token: '<pad>',
    sep_token: '</s>',
    unk_token: '<unk>',
  };
  return { tokenizer: json(tokenizer), config: json(config), specialTokensMap: json(specialTokensMap), vocabSize: size };
}
