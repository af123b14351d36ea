/**
 * Published values of the real model for what tensor shapes cannot tell (conventions.md §4), used when a folder has
 * no config.json for a component, and as defaults under a config that omits a field (as transformers/diffusers do
 * with class defaults). Sizes (dims, layer counts, heads) always come from shapes and are never defaulted here.
 * Sources: newbie-model.md §1.3 (NextDiT config + code defaults), §1.6 (Gemma3-4B-it text config), §1.7 (Jina CLIP v2),
 * §1.8 (FLUX.1-dev VAE); RMSNorm/GroupNorm eps per conventions.md §3.
 */

/** NextDiT_CLIP: the config fields the conversion script writes, plus code defaults (norm_eps, rope_theta). */
export const DIT_DEFAULTS = {
  patch_size: 2,
  in_channels: 16,
  axes_dims: [32, 32, 32],
  axes_lens: [1024, 512, 512],
  norm_eps: 1e-5,
  rope_theta: 10000,
} as const;

/** Gemma3-4B-it text_config values that shapes cannot tell (transformers Gemma3TextConfig defaults for the 4B model). */
export const GEMMA3_TEXT_DEFAULTS = {
  hidden_activation: 'gelu_pytorch_tanh',
  rms_norm_eps: 1e-6,
  query_pre_attn_scalar: 256,
  rope_theta: 1_000_000,
  rope_local_base_freq: 10_000,
  rope_scaling: { factor: 8.0, rope_type: 'linear' },
  sliding_window: 1024,
  sliding_window_pattern: 6,
  attn_logit_softcapping: null,
  final_logit_softcapping: null,
} as const;

/** jina-embeddings-v3 (the text tower of jina-clip-v2): heads, rotary base, LayerNorm eps, LoRA task list. */
export const JINA_TEXT_DEFAULTS = {
  num_attention_heads: 16,
  rotary_emb_base: 20000,
  layer_norm_eps: 1e-5,
  default_lora_task: 'retrieval.query',
  lora_adaptations: ['retrieval.query', 'retrieval.passage', 'separation', 'classification', 'text-matching'],
  lora_alpha: 1,
} as const;

/** FLUX.1-dev AutoencoderKL (diffusers config). */
export const VAE_DEFAULTS = {
  norm_num_groups: 32,
  scaling_factor: 0.3611,
  shift_factor: 0.1159,
  act_fn: 'silu',
  force_upcast: true,
} as const;

/** The official repository and the repositories the downloader takes missing tokenizers from (conventions.md §4). */
export const OFFICIAL_REPO = 'NewBie-AI/NewBie-image-Exp0.1';
export const GEMMA_TOKENIZER_REPO = 'google/gemma-3-4b-it';
export const JINA_TOKENIZER_REPO = 'jinaai/jina-clip-v2';
