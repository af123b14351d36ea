/**
 * config.json / model_index.json contents for the tiny model, with **only the fields the real files have**
 * (conventions.md §4): the DiT config as the official conversion script writes it (newbie-model.md §1.3, no
 * cap_feat_dim / qk_norm / n_refiner_layers), Gemma3ForConditionalGeneration as transformers' save_pretrained writes it
 * (§1.6, with layer_types), JinaCLIPConfig (§1.7; tiny text-tower sizes go in `hf_model_config_kwargs`, the real
 * mechanism that overrides jina-embeddings-v3's config), and a diffusers AutoencoderKL config (§1.8).
 */
import type { GemmaTextDims, JinaTextDims, NextDitDims, VaeDecoderDims } from './specs';

export interface TinyGemmaSettings {
  slidingWindow: number;
  slidingWindowPattern: number;
}

/** model_index.json as [LT] convert_newbie_to_diffusers.py writes it (newbie-model.md §1.2). */
export function modelIndexJson(): Record<string, unknown> {
  return {
    _class_name: 'NewbiePipeline',
    _diffusers_version: '0.30.0',
    clip_model: ['clip_model', 'JinaCLIPModel'],
    clip_tokenizer: ['clip_model', 'AutoTokenizer'],
    text_encoder: ['text_encoder', 'Gemma3ForConditionalGeneration'],
    tokenizer: ['text_encoder', 'AutoTokenizer'],
    transformer: ['transformer', 'NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP'],
    vae: ['vae', 'AutoencoderKL'],
  };
}

/** transformer/config.json (newbie-model.md §1.3). */
export function ditConfigJson(d: NextDitDims, axesDims: number[]): Record<string, unknown> {
  return {
    _class_name: 'NextDiT_3B_GQA_patch2_Adaln_Refiner_WHIT_CLIP',
    model_type: 'nextdit_clip',
    patch_size: d.patchSize,
    dim: d.dim,
    n_layers: d.nLayers,
    n_heads: d.nHeads,
    n_kv_heads: d.nKvHeads,
    in_channels: d.inChannels,
    axes_dims: axesDims,
    axes_lens: [1024, 512, 512],
    clip_text_dim: d.clipTextDim,
    clip_img_dim: d.clipTextDim,
  };
}

/** Gemma layer i is global ("full_attention") when (i+1) % pattern == 0 (transformers Gemma3TextConfig). */
export function gemmaLayerTypes(layers: number, pattern: number): string[] {
  return Array.from({ length: layers }, (_, i) => ((i + 1) % pattern === 0 ? 'full_attention' : 'sliding_attention'));
}

/** text_encoder/config.json of a Gemma3ForConditionalGeneration (text_config + a vision_config for the ignored tower). */
export function gemmaConfigJson(d: GemmaTextDims, s: TinyGemmaSettings, vision: { hidden: number; patch: number }): Record<string, unknown> {
  return {
    architectures: ['Gemma3ForConditionalGeneration'],
    boi_token_index: d.vocabSize - 3,
    eoi_token_index: d.vocabSize - 2,
    eos_token_id: [1],
    image_token_index: d.vocabSize - 1,
    initializer_range: 0.02,
    mm_tokens_per_image: 4,
    model_type: 'gemma3',
    text_config: {
      attention_bias: false,
      attention_dropout: 0.0,
      attn_logit_softcapping: null,
      final_logit_softcapping: null,
      head_dim: d.headDim,
      hidden_activation: 'gelu_pytorch_tanh',
      hidden_size: d.hidden,
      initializer_range: 0.02,
      intermediate_size: d.intermediate,
      layer_types: gemmaLayerTypes(d.layers, s.slidingWindowPattern),
      max_position_embeddings: 131072,
      model_type: 'gemma3_text',
      num_attention_heads: d.heads,
      num_hidden_layers: d.layers,
      num_key_value_heads: d.kvHeads,
      query_pre_attn_scalar: d.headDim,
      rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000.0,
      rope_scaling: { factor: 8.0, rope_type: 'linear' },
      rope_theta: 1000000.0,
      sliding_window: s.slidingWindow,
      sliding_window_pattern: s.slidingWindowPattern,
      use_cache: true,
      vocab_size: d.vocabSize,
    },
    torch_dtype: 'bfloat16',
    transformers_version: '4.53.0',
    vision_config: {
      hidden_size: vision.hidden,
      image_size: vision.patch * 2,
      intermediate_size: vision.hidden * 2,
      model_type: 'siglip_vision_model',
      num_attention_heads: 1,
      num_hidden_layers: 0,
      patch_size: vision.patch,
      vision_use_head: false,
    },
  };
}

/** clip_model/config.json (JinaCLIPConfig, text tower = jina-embeddings-v3 with the retrieval.query LoRA). */
export function jinaConfigJson(d: JinaTextDims, heads: number): Record<string, unknown> {
  return {
    add_projections: false,
    architectures: ['JinaCLIPModel'],
    auto_map: {
      AutoConfig: 'jinaai/jina-clip-implementation--configuration_clip.JinaCLIPConfig',
      AutoModel: 'jinaai/jina-clip-implementation--modeling_clip.JinaCLIPModel',
    },
    initializer_factor: 1.0,
    logit_scale_init_value: 2.6592,
    model_type: 'jina_clip',
    projection_dim: d.hidden,
    text_config: {
      default_instruction_task: null,
      default_lora_task: 'retrieval.query',
      embed_dim: d.hidden,
      hf_model_config_kwargs: {
        hidden_size: d.hidden,
        intermediate_size: d.intermediate,
        load_trained_adapters: false,
        lora_adaptations: ['retrieval.query', 'retrieval.passage'].slice(0, d.loraTasks),
        lora_alpha: 1,
        lora_dropout_p: 0.0,
        lora_main_params_trainable: false,
        lora_rank: d.loraRank,
        num_attention_heads: heads,
        num_hidden_layers: d.layers,
        task_instructions: {
          'retrieval.query': 'Represent the query for retrieving evidence documents: ',
          'retrieval.passage': 'Represent the document for retrieval: ',
        },
        use_flash_attn: false,
        vocab_size: d.vocabSize,
      },
      hf_model_name_or_path: 'jinaai/jina-embeddings-v3',
      model_type: 'jina_clip_text',
      pooler_type: 'mean_pooler',
      proj_bias: false,
      proj_type: null,
    },
    torch_dtype: 'bfloat16',
    transformers_version: '4.45.0',
    truncate_dim: null,
    vision_config: { embed_dim: d.hidden, model_type: 'jina_clip_vision', patch_size: 4, image_size: 8, layers: 0, width: 8 },
  };
}

/** vae/config.json (diffusers AutoencoderKL with the FLUX.1-dev scaling/shift, newbie-model.md §1.8). */
export function vaeConfigJson(d: VaeDecoderDims, normGroups: number): Record<string, unknown> {
  const n = d.blockOutChannels.length;
  return {
    _class_name: 'AutoencoderKL',
    _diffusers_version: '0.30.0',
    act_fn: 'silu',
    block_out_channels: d.blockOutChannels,
    down_block_types: Array(n).fill('DownEncoderBlock2D'),
    force_upcast: true,
    in_channels: 3,
    latent_channels: d.latentChannels,
    latents_mean: null,
    latents_std: null,
    layers_per_block: d.layersPerBlock,
    mid_block_add_attention: true,
    norm_num_groups: normGroups,
    out_channels: d.outChannels,
    sample_size: 1024,
    scaling_factor: 0.3611,
    shift_factor: 0.1159,
    up_block_types: Array(n).fill('UpDecoderBlock2D'),
    use_post_quant_conv: false,
    use_quant_conv: false,
  };
}
