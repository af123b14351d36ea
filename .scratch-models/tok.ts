import { Tokenizer } from '@huggingface/tokenizers';
import { gemmaTokenizerFiles, jinaTokenizerFiles } from '../src/main/models/tinyTokenizers';
for (const f of [gemmaTokenizerFiles(), jinaTokenizerFiles()]) {
  const t = new Tokenizer(JSON.parse(f.tokenizer), JSON.parse(f.config));
  const e = t.encode('<character_1> 1girl, long blue hair ✓ é</character_1>');
  console.log(f.vocabSize, e.ids, e.tokens, JSON.stringify(t.decode(e.ids, {skip_special_tokens: true})));
}
