import { describe, expect, it } from 'vitest';
import { hubEndpoint, hubHttpError, planDownload, planTokenizerFiles, resolveUrl, toPlanned, type HubFile } from '../../../../src/main/models/hub';
import { StudioError } from '../../../../src/shared/errors';

const sha = (c: string) => c.repeat(64).slice(0, 64);
const lfs = (path: string, size: number, c = 'a'): HubFile => ({ path, size, oid: sha('1').slice(0, 40), lfs: { oid: sha(c), size } });
const reg = (path: string, size = 100): HubFile => ({ path, size, oid: sha('2').slice(0, 40) });

/** The layout third-party downloaders report for the live hub repo (newbie-model.md §1.1), plus clutter. */
const LIVE_LIKE: HubFile[] = [
  reg('.gitattributes'),
  reg('README.md'),
  reg('model_index.json'),
  reg('transformer/config.json'),
  lfs('transformer/diffusion_pytorch_model.safetensors', 6_973_272_192),
  reg('text_encoder/config.json'),
  lfs('text_encoder/gemma3-4b-it.safetensors', 8_600_000_000),
  lfs('text_encoder/tokenizer.json', 33_384_568),
  lfs('text_encoder/tokenizer.model', 4_689_074),
  reg('text_encoder/tokenizer_config.json'),
  reg('text_encoder/special_tokens_map.json'),
  reg('clip_model/config.json'),
  lfs('clip_model/jina-clip-v2.safetensors', 1_730_000_000),
  reg('clip_model/modeling_clip.py'),
  lfs('clip_model/tokenizer.json', 17_000_000),
  reg('clip_model/tokenizer_config.json'),
  reg('vae/config.json'),
  lfs('vae/diffusion_pytorch_model.safetensors', 335_304_388),
  lfs('vae/diffusion_pytorch_model.bin', 335_000_000),
  lfs('images/sample.png', 1_000_000),
];

describe('planDownload', () => {
  it('takes configs, one weights file per component and the tokenizer files; skips the rest', () => {
    const plan = planDownload(LIVE_LIKE, 'NewBie-AI/NewBie-image-Exp0.1');
    expect(plan.files.map((f) => f.path).sort()).toEqual(
      [
        'model_index.json',
        'transformer/config.json',
        'transformer/diffusion_pytorch_model.safetensors',
        'text_encoder/config.json',
        'text_encoder/gemma3-4b-it.safetensors',
        'text_encoder/tokenizer.json',
        'text_encoder/tokenizer_config.json',
        'text_encoder/special_tokens_map.json',
        'clip_model/config.json',
        'clip_model/jina-clip-v2.safetensors',
        'clip_model/tokenizer.json',
        'clip_model/tokenizer_config.json',
        'vae/config.json',
        'vae/diffusion_pytorch_model.safetensors',
      ].sort(),
    );
    expect(plan.missingTokenizers).toEqual([]);
  });

  it('with HF shards and a single file, takes the index and its shards only (never both)', () => {
    const files = [
      ...LIVE_LIKE,
      reg('text_encoder/model.safetensors.index.json'),
      lfs('text_encoder/model-00001-of-00002.safetensors', 4_961_251_752),
      lfs('text_encoder/model-00002-of-00002.safetensors', 3_639_026_128),
      lfs('text_encoder/other-00001-of-00001.safetensors', 10),
    ];
    const paths = planDownload(files, 'r/r').files.map((f) => f.path).filter((p) => p.startsWith('text_encoder/') && p.includes('safetensors'));
    expect(paths.sort()).toEqual(['text_encoder/model-00001-of-00002.safetensors', 'text_encoder/model-00002-of-00002.safetensors', 'text_encoder/model.safetensors.index.json']);
  });

  it('prefers the name the loader prefers when a folder has several single files', () => {
    const files = [...LIVE_LIKE, lfs('clip_model/model.safetensors', 1_730_000_000, 'b'), lfs('vae/ae.safetensors', 335_000_000)];
    const paths = planDownload(files, 'r/r').files.map((f) => f.path);
    expect(paths).toContain('clip_model/model.safetensors');
    expect(paths).not.toContain('clip_model/jina-clip-v2.safetensors');
    expect(paths).toContain('vae/diffusion_pytorch_model.safetensors');
    expect(paths).not.toContain('vae/ae.safetensors');
  });

  it('reports missing tokenizers and refuses a repo without a component', () => {
    const noTok = LIVE_LIKE.filter((f) => !/tokenizer/.test(f.path));
    expect(planDownload(noTok, 'r/r').missingTokenizers).toEqual(['gemma', 'jina']);
    const inTokenizerDir = [...noTok, reg('tokenizer/tokenizer.json'), reg('clip_tokenizer/tokenizer.json')];
    expect(planDownload(inTokenizerDir, 'r/r').missingTokenizers).toEqual([]);
    expect(() => planDownload(LIVE_LIKE.filter((f) => !f.path.startsWith('vae/')), 'some/repo')).toThrow(/some\/repo has no vae\/ weights/);
  });

  it('upstream tokenizers go into the component folder; verification by LFS sha256 or git blob id', () => {
    const upstream = [lfs('tokenizer.json', 33_384_568, 'c'), reg('tokenizer_config.json', 1_156_999), reg('config.json'), lfs('model-00001-of-00002.safetensors', 5)];
    const plan = planTokenizerFiles(upstream, 'google/gemma-3-4b-it', 'main', 'text_encoder');
    expect(plan.map((p) => [p.dest, p.check.algorithm, p.size])).toEqual([
      ['text_encoder/tokenizer.json', 'sha256', 33_384_568],
      ['text_encoder/tokenizer_config.json', 'git-sha1', 1_156_999],
    ]);
    expect(plan[0].check.digest).toBe(sha('c'));
    expect(toPlanned(reg('a/b.json', 7), 'r/r', 'main').check).toEqual({ algorithm: 'git-sha1', digest: sha('2').slice(0, 40) });
    expect(() => planTokenizerFiles([reg('config.json')], 'jinaai/jina-clip-v2', 'main', 'clip_model')).toThrow(StudioError);
  });
});

describe('hub helpers', () => {
  it('endpoint: option > HF_ENDPOINT > huggingface.co, without a trailing slash', () => {
    expect(hubEndpoint(undefined, {})).toBe('https://huggingface.co');
    expect(hubEndpoint(undefined, { HF_ENDPOINT: 'https://hf-mirror.com/' })).toBe('https://hf-mirror.com');
    expect(hubEndpoint('http://127.0.0.1:8080', { HF_ENDPOINT: 'https://hf-mirror.com' })).toBe('http://127.0.0.1:8080');
  });

  it('resolve URLs encode path segments', () => {
    expect(resolveUrl('https://h', 'o/n', 'main', 'a dir/b#c.json')).toBe('https://h/o/n/resolve/main/a%20dir/b%23c.json');
  });

  it('maps hub errors to the catalogue', () => {
    const gated = hubHttpError(new Response(null, { status: 401, headers: { 'x-error-code': 'GatedRepo' } }), 'google/gemma-3-4b-it', 'text_encoder/tokenizer.json', false);
    expect([gated.code, gated.message]).toEqual(['Unauthorized', 'text_encoder/tokenizer.json: google/gemma-3-4b-it is gated: your account must accept its conditions']);
    expect(gated.hint).toMatch(/huggingface\.co\/google\/gemma-3-4b-it/);
    const forbidden = hubHttpError(new Response(null, { status: 403 }), 'o/n', 'x', true);
    expect([forbidden.code, forbidden.message]).toEqual(['Unauthorized', 'x: HTTP 403, the token has no access to o/n']);
    expect(hubHttpError(new Response(null, { status: 404 }), 'o/n', 'x', false).code).toBe('DownloadFailed');
    expect(hubHttpError(new Response(null, { status: 503 }), 'o/n', 'x', false).message).toBe('x: HTTP 503');
  });
});
