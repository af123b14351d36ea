/**
 * Model folders: discovery and check, Hugging Face download, the tiny model generator (architecture.md §2).
 * Electron-free and ORT-free; the engine's graph builders read the ModelPackage that resolveModelFolder returns.
 */
export { checkModelFolder, findHfCacheModels, type CheckProblem, type ComponentReport, type DitTensorReport, type HfCacheModelReport, type ModelCheckReport } from './check';
export { DIT_DEFAULTS, GEMMA3_TEXT_DEFAULTS, GEMMA_TOKENIZER_REPO, JINA_TEXT_DEFAULTS, JINA_TOKENIZER_REPO, OFFICIAL_REPO, VAE_DEFAULTS } from './defaults';
export { defaultModelDir, downloadModel, planModelDownload, type DownloadOptions, type DownloadProgress, type DownloadResult, type FileState } from './download';
export { hfHubCacheDir, listHfCacheModelSnapshots, pickSnapshot, repoFolderName, type HfCacheModel } from './hfCache';
export { hubEndpoint, listRepoFiles, planDownload, type HubFile, type PlannedFile } from './hub';
export { GRAPH_BUILDER_VERSION, modelIdentity } from './identity';
export { countBlocks, inferDitDims, inferGemmaDims, inferJinaDims, inferVaeDims } from './inspect';
export {
  findPrefix,
  resolveGemma,
  resolveJina,
  resolveModelFolder,
  resolveModelRoot,
  resolveTokenizers,
  resolveTransformer,
  resolveVae,
  type ComponentId,
  type DitComponent,
  type GemmaComponent,
  type JinaComponent,
  type JinaTextSettings,
  type ModelPackage,
  type TokenizerRef,
  type VaeComponent,
} from './layout';
export { gemmaTextTensorSpecs, jinaTextTensorSpecs, nextDitFfnDim, nextDitTensorSpecs, vaeDecoderTensorSpecs, type GemmaTextDims, type JinaTextDims, type NextDitDims, type TensorSpec, type VaeDecoderDims } from './specs';
export { makeTinyModel, TINY_DIT_PRESETS, type TinyDitShape, type TinyLayout, type TinyModelInfo, type TinyModelOptions, type TinySize } from './tiny';
