import { resolveModelFolder } from '../src/main/models/layout';
import { modelIdentity } from '../src/main/models/identity';
for (const d of process.argv.slice(2)) {
  const p = resolveModelFolder(d);
  console.log(d, p.transformer.source, p.gemma.prefix, p.gemma.source, p.jina.form, p.jina.prefix, p.jina.text, p.vae.prefix, p.vae.attention, p.notes, modelIdentity(p));
}
