/**
 * A model package loaded for generation: tokenizers, the resolved precision plan and provider, and one session per
 * component created on first use and kept warm (architecture.md §3). The memory policy decides whether the text
 * encoders are released before denoising (GPU memory is scarce: Gemma ≈ 7.6 GB + DiT ≈ 7 GB in bf16).
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import type { MemoryPolicy, PrecisionChoice, PrecisionPlan, ProviderName } from '../../../shared/dto';
import { DitRunner, ditConfigFromWeights } from '../architectures/nextDit';
import { GemmaEncoder } from '../architectures/gemma3Text';
import { JinaEncoder } from '../architectures/jinaClipV2Text';
import { VaeDecoder } from '../architectures/fluxVaeDecoder';
import { vaeConfigFromWeights } from '../architectures/fluxVaeConfig';
import { elemTypeOf, resolvePlan, type DeviceCaps } from '../runtime/precision';
import { loadTokenizer } from '../tokenizers';
import { resolveModelFolder, type ModelPackage } from '../../models/layout';
import { modelIdentity } from '../../models/identity';

export interface LoadOptions {
  provider: ProviderName;
  computeCapability?: number;
  precision: PrecisionChoice;
  memoryPolicy?: MemoryPolicy;
}

/** A loaded model package: tokenizers, precision plan, identity, and lazily created component sessions (see file header). */
export class LoadedModel {
  readonly gemmaTokenizer: Tokenizer;
  readonly jinaTokenizer: Tokenizer;
  readonly plan: PrecisionPlan;
  readonly identity: string;
  private gemmaRunner?: Promise<GemmaEncoder>;
  private jinaRunner?: Promise<JinaEncoder>;
  private ditRunner?: Promise<DitRunner>;
  private vaeRunner?: Promise<VaeDecoder>;

  private constructor(
    readonly pkg: ModelPackage,
    readonly provider: ProviderName,
    readonly options: LoadOptions,
  ) {
    this.gemmaTokenizer = loadTokenizer(pkg.tokenizers.gemma);
    this.jinaTokenizer = loadTokenizer(pkg.tokenizers.jina);
    const caps: DeviceCaps = { provider, computeCapability: options.computeCapability };
    this.plan = resolvePlan(options.precision, caps);
    this.identity = modelIdentity(pkg);
  }

  /**
   * Finds the four components and the tokenizers in `dir` and resolves the precision plan. Sessions are created lazily.
   * @throws StudioError ModelIncomplete / ModelInvalid (model folder), PrecisionUnsupported (forced bf16 without CUDA ≥ 8.0)
   */
  static open(dir: string, options: LoadOptions): LoadedModel {
    return new LoadedModel(resolveModelFolder(dir), options.provider, options);
  }

  /** Same folder and precision options → this model can serve the request without reloading. */
  matches(dir: string, precision: PrecisionChoice): boolean {
    return this.pkg.root === dir && this.options.precision === precision;
  }

  private get releaseEncoders(): boolean {
    const policy = this.options.memoryPolicy ?? 'auto';
    // On CPU the weights are mmapped page cache: keeping the sessions costs little. GPUs hold copies: release.
    return policy === 'release' || (policy === 'auto' && this.provider !== 'cpu');
  }

  gemma(): Promise<GemmaEncoder> {
    const c = this.pkg.gemma;
    this.gemmaRunner ??= GemmaEncoder.create(c.weights, c.config, {
      prefix: c.prefix,
      dtype: elemTypeOf(this.plan.gemma),
      provider: this.provider,
    });
    return this.gemmaRunner;
  }

  jina(): Promise<JinaEncoder> {
    const c = this.pkg.jina;
    this.jinaRunner ??= JinaEncoder.create(c.weights, c.config, {
      prefix: c.prefix,
      form: c.form,
      dtype: elemTypeOf(this.plan.jina),
      provider: this.provider,
    });
    return this.jinaRunner;
  }

  dit(): Promise<DitRunner> {
    const c = this.pkg.transformer;
    this.ditRunner ??= DitRunner.create(c.weights, ditConfigFromWeights(c.weights, '', c.config), {
      prefix: '',
      dtype: elemTypeOf(this.plan.dit),
      provider: this.provider,
    });
    return this.ditRunner;
  }

  vae(): Promise<VaeDecoder> {
    const c = this.pkg.vae;
    this.vaeRunner ??= VaeDecoder.create(c.weights, vaeConfigFromWeights(c.weights, c.prefix, c.config), {
      prefix: c.prefix,
      dtype: elemTypeOf(this.plan.vae),
      provider: this.provider,
    });
    return this.vaeRunner;
  }

  /**
   * Called before text encoding. Under the release policy the encoders were freed after the last job while the DiT and
   * VAE stayed warm; loading the encoders next to them would put all four models in memory at once, so free those
   * first (the peak then stays at max(encoders, DiT + VAE)).
   */
  async beforeEncode(): Promise<void> {
    if (!this.releaseEncoders || this.gemmaRunner || this.jinaRunner) return;
    const d = this.ditRunner;
    const v = this.vaeRunner;
    this.ditRunner = undefined;
    this.vaeRunner = undefined;
    await Promise.all([d?.then((r) => r.release()), v?.then((r) => r.release())]);
  }

  /** Called after text encoding: frees the encoder sessions when the memory policy says so. */
  async afterEncode(): Promise<void> {
    if (!this.releaseEncoders) return;
    const g = this.gemmaRunner;
    const j = this.jinaRunner;
    this.gemmaRunner = undefined;
    this.jinaRunner = undefined;
    await Promise.all([g?.then((r) => r.release()), j?.then((r) => r.release())]);
  }

  /** Releases every session. */
  async release(): Promise<void> {
    const all = [this.gemmaRunner, this.jinaRunner, this.ditRunner, this.vaeRunner];
    this.gemmaRunner = this.jinaRunner = this.ditRunner = this.vaeRunner = undefined;
    await Promise.all(all.map((p) => p?.then((r) => r.release())));
  }
}
