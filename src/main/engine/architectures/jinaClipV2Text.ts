/**
 * Jina CLIP v2 text tower → pooled text feature (`clip_text_pooled` of the NewBie DiT, newbie-model.md §1.7, §2.3):
 * word + token-type(0) embeddings, emb_ln, post-LN XLM-R blocks with half-split rotary attention, masked mean pooling
 * (one unpadded prompt: the mean over every token, `<s>`/`</s>` included), no projection, no L2 normalisation.
 * Sources: NewBieAI-Lab/ComfyUI-Newbie-Nodes @ cdc0923 jinaai/xlm_roberta/{modeling_xlm_roberta,modeling_lora,
 * embedding,block,mha,mlp,rotary}.py and jinaai/jina_clip/hf_model.py (`HFTextEncoder`, `MeanPooler`).
 *
 * Raw LoRA checkpoints keep their weights mmapped: the adapter of the configured task is applied inside the graph,
 * Linear y = xWᵀ + b + s·(x·A_tᵀ)·B_tᵀ and Embedding W[id] + s·(A_t[id] @ B_t) (A/B sliced with Gather on the
 * initializers), instead of materialising merged copies (modeling_lora.py `LoRAParametrization`).
 */
import { StudioError } from '../../../shared/errors';
import { GraphBuilder, type Value } from '../onnx/graph';
import { attention, gelu, layerNorm, linear, splitLast, type Ctx } from '../onnx/layers';
import { f32, i64, type EngineSession } from '../runtime/session';
import type { WeightSet } from '../safetensors/weightSet';
import { createEncoderSession, refuseCpuBf16, type EncoderSessionOptions } from './encoderSession';
import {
  jinaConfigFromWeights,
  jinaLoraKeys,
  jinaWeightKey,
  type JinaConfig,
  type JinaForm,
} from './jinaClipV2TextConfig';
import { checkIds, ropeInvFreq, ropeTables, type ComputeDtype } from './textEncoderCommon';

export { detectJinaLayout, jinaConfigFromWeights, JINA_DEFAULTS } from './jinaClipV2TextConfig';
export type { JinaConfig, JinaForm, JinaLora } from './jinaClipV2TextConfig';

export const JINA_IO = { ids: 'input_ids', cos: 'rope_cos', sin: 'rope_sin', pooled: 'pooled' } as const;

interface Builder {
  ctx: Ctx;
  weights: WeightSet;
  cfg: JinaConfig;
}

/** The adapter of one module, sliced to the configured task: A_t and B_t as Values in the compute dtype. */
function taskSlice(b: Builder, tensor: string): Value {
  const g = b.ctx.g;
  const task = g.constI64([b.cfg.lora!.taskIndex], []);
  return g.cast(g.op1('Gather', [g.weight(b.weights.get(tensor)), task], { axis: 0 }), b.ctx.dtype);
}

/** Linear (PyTorch [out, in] weight, bias) with the task's LoRA when the checkpoint is raw: x [S, in] → [S, out]. */
function loraLinear(b: Builder, x: Value, module: string): Value {
  const { ctx, weights, cfg } = b;
  const y = linear(
    ctx,
    x,
    weights.get(jinaWeightKey(cfg.prefix, cfg.form, module)),
    weights.get(`${cfg.prefix}${module}.bias`),
  );
  if (!cfg.lora) return y;
  const keys = jinaLoraKeys(cfg.prefix, module);
  const t = ctx.g.op1('Gemm', [x, taskSlice(b, keys.a)], { transB: 1 }); // [S, r]
  // y + s·t·B_tᵀ in one Gemm (C = y).
  return ctx.g.op1('Gemm', [t, taskSlice(b, keys.b), y], {
    transB: 1,
    alpha: { float: cfg.lora.scaling },
    beta: { float: 1 },
  });
}

/** Embedding rows W[ids] (+ s·A_t[ids] @ B_t for raw checkpoints): ids int64 [S] → [S, hidden] in the compute dtype. */
function loraEmbedding(b: Builder, ids: Value, module: string): Value {
  const { ctx, weights, cfg } = b;
  const g = ctx.g;
  const rows = g.cast(
    g.op1('Gather', [g.weight(weights.get(jinaWeightKey(cfg.prefix, cfg.form, module))), ids], { axis: 0 }),
    ctx.dtype,
  );
  if (!cfg.lora) return rows;
  const keys = jinaLoraKeys(cfg.prefix, module);
  // Gather the ids' rows of every task's A ([T, vocab, r] → [T, S, r]), then the task: no vocab-sized copy.
  const aRows = g.op1('Gather', [g.weight(weights.get(keys.a)), ids], { axis: 1 });
  const aTask = g.cast(
    g.op1('Gather', [aRows, g.constI64([cfg.lora.taskIndex], [])], { axis: 0 }),
    ctx.dtype,
  );
  return g.op1('Gemm', [aTask, taskSlice(b, keys.b), rows], {
    alpha: { float: cfg.lora.scaling },
    beta: { float: 1 },
  });
}

/**
 * Builds the Jina text graph for one unpadded prompt.
 * Inputs: `input_ids` int64 [S]; `rope_cos`, `rope_sin` f32 [1, S, head_dim/2] (base `rotaryBase`, see `ropeTables`).
 * Output: `pooled` f32 [hidden] = mean over the S tokens of the last hidden state. S is symbolic.
 * Blocks (post-LN): x = norm1(x + out_proj(attn(Wqkv x))); x = norm2(x + fc2(gelu(fc1 x))); attention bidirectional,
 * scale head_dim^−0.5, Wqkv rows ordered (q | k | v) × (head, dim). Pooling runs in fp32 (ReduceMean has no bf16 kernel).
 * @throws GraphBuildError when a bf16 value would reach an op without a bf16 CUDA kernel (a build bug).
 */
export function buildJinaTextGraph(weights: WeightSet, cfg: JinaConfig, dtype: ComputeDtype): GraphBuilder {
  const g = new GraphBuilder('jina_clip_v2_text');
  const ctx: Ctx = { g, dtype };
  const b: Builder = { ctx, weights, cfg };
  const { hiddenSize: C, headDim: D, layerNormEps: eps, prefix } = cfg;
  const ids = g.input(JINA_IO.ids, 'int64', ['S']);
  const cos = g.input(JINA_IO.cos, 'float32', [1, 'S', D / 2]);
  const sin = g.input(JINA_IO.sin, 'float32', [1, 'S', D / 2]);
  const P = (n: string) => weights.get(prefix + n);

  const word = loraEmbedding(b, ids, 'embeddings.word_embeddings');
  const tokenType = loraEmbedding(b, g.constI64([0], [1]), 'embeddings.token_type_embeddings'); // [1, C], broadcast
  let x = layerNorm(ctx, g.op1('Add', [word, tokenType]), eps, C, P('emb_ln.weight'), P('emb_ln.bias'));

  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `encoder.layers.${i}.`;
    const [q, k, v] = splitLast(ctx, loraLinear(b, x, `${p}mixer.Wqkv`), [C, C, C]);
    const o = attention(ctx, {
      q,
      k,
      v,
      numHeads: cfg.numHeads,
      numKvHeads: cfg.numHeads,
      headDim: D,
      rope: { cos, sin, interleaved: false },
    });
    const attnOut = loraLinear(b, o, `${p}mixer.out_proj`);
    x = layerNorm(ctx, g.op1('Add', [x, attnOut]), eps, C, P(`${p}norm1.weight`), P(`${p}norm1.bias`));
    const ffn = loraLinear(b, gelu(ctx, loraLinear(b, x, `${p}mlp.fc1`), cfg.activation), `${p}mlp.fc2`);
    x = layerNorm(ctx, g.op1('Add', [x, ffn]), eps, C, P(`${p}norm2.weight`), P(`${p}norm2.bias`));
  }
  const pooled = g.op1('ReduceMean', [g.cast(x, 'float32'), g.constI64([0])], { keepdims: 0 });
  g.output(pooled, JINA_IO.pooled, [C]);
  return g;
}

export interface JinaEncoderOptions extends EncoderSessionOptions {
  /** Key prefix and form (see `detectJinaLayout`). */
  prefix: string;
  form: JinaForm;
}

/** Runs the Jina CLIP v2 text tower: one session created once, reused for every prompt length. */
export class JinaEncoder {
  private readonly invFreq: Float32Array;

  private constructor(
    private readonly session: EngineSession,
    readonly config: JinaConfig,
    readonly dtype: ComputeDtype,
  ) {
    this.invFreq = ropeInvFreq(config.headDim, config.rotaryBase);
  }

  /**
   * Resolves the config (`configJson` = parsed config.json or undefined), builds the graph and creates the session.
   * @throws StudioError ModelInvalid (wrong keys/shapes/config, or `form` not matching the keys),
   *   PrecisionUnsupported (bf16 on the CPU provider), ProviderUnavailable.
   */
  static async create(
    weights: WeightSet,
    configJson: unknown,
    opts: JinaEncoderOptions,
  ): Promise<JinaEncoder> {
    refuseCpuBf16('Jina CLIP v2', opts, 'Choose precision fp32 (or fp16) for CPU runs.');
    const config = jinaConfigFromWeights(weights, opts.prefix, opts.form, configJson);
    const graph = buildJinaTextGraph(weights, config, opts.dtype);
    const session = await createEncoderSession('Jina CLIP v2 text encoder', graph, opts);
    return new JinaEncoder(session, config, opts.dtype);
  }

  /**
   * Encodes one prompt. `ids`: token ids [S] with `<s>` … `</s>` and no padding. Returns the pooled feature f32 [hidden].
   * @throws StudioError InvalidRequest for empty ids, ids outside the vocabulary, or a pad id (the reference masks pads
   *   out of attention and pooling, which a single unpadded prompt never needs).
   */
  async encode(ids: readonly number[]): Promise<Float32Array> {
    const cfg = this.config;
    checkIds(ids, cfg.vocabSize, 'Jina CLIP v2 text encoder');
    const pad = ids.indexOf(cfg.padTokenId);
    if (pad >= 0) {
      throw new StudioError(
        'InvalidRequest',
        `Jina CLIP v2 text encoder: pad id ${cfg.padTokenId} at position ${pad}; pass one prompt's ids without padding`,
      );
    }
    const S = ids.length;
    const { cos, sin } = ropeTables(S, this.invFreq);
    const out = await this.session.run({
      [JINA_IO.ids]: i64(ids, [S]),
      [JINA_IO.cos]: f32(cos, [1, S, this.invFreq.length]),
      [JINA_IO.sin]: f32(sin, [1, S, this.invFreq.length]),
    });
    return out[JINA_IO.pooled].data as Float32Array;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
