import { LoadedModel } from '../src/main/engine/pipeline/model';
import { runTextToImage } from '../src/main/engine/pipeline/textToImage';
import { DEFAULTS } from '../src/shared/dto';
(async () => {
  for (const dir of process.argv.slice(2)) {
    const t0 = Date.now();
    const m = LoadedModel.open(dir, { provider: 'cpu', precision: 'auto' });
    const r = await runTextToImage(m, { ...DEFAULTS, prompt: '<character_1><gender>1girl</gender></character_1>', negativePrompt: '', width: 64, height: 64, steps: 2, seed: 1, guidance: 4 } as never, { previews: false });
    const px = r.images[0].rgb;
    let mn = 255, mx = 0; for (const v of px) { mn = Math.min(mn, v); mx = Math.max(mx, v); }
    console.log(dir, r.images[0].width, r.images[0].height, px.length, mn, mx, Date.now() - t0, 'ms', r.precision);
    await m.release();
  }
})().catch((e) => { console.error('ERR', e); process.exit(1); });
