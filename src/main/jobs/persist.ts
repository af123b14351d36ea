/**
 * Turns the engine host's RGB8 result into PNG files with metadata and history rows (architecture.md §3 step 4):
 * PNGs carry only what reproduces the image (conventions.md §6), so the same request on the same machine and version
 * gives byte-identical files. Shared by the CLI `generate` and the StudioService queue.
 */
import { basename } from 'node:path';
import type { GenerationRequest } from '../../shared/dto';
import { encodePng } from '../engine/image/png';
import { toInfotext } from '../engine/image/infotext';
import { newbieMetadata } from '../engine/image/metadata';
import { GRAPH_BUILDER_VERSION } from '../engine/onnx/graph';
import type { HostResult } from '../engine/host/protocol';
import type { HistoryStore } from '../history/store';
import type { FinishedImage, SavedGeneration } from '../history/types';
import { appVersion } from '../version';

/** Encodes every image of a host result as a PNG with `parameters` (A1111) and `newbie` (JSON) chunks. */
export function encodeResultPngs(request: GenerationRequest, result: HostResult, modelDir: string): FinishedImage[] {
  const modelName = basename(modelDir);
  return result.images.map((im) => {
    const perImage: GenerationRequest = { ...request, seed: im.seed, batch: 1 };
    const parameters = toInfotext(perImage, {
      model: { name: modelName, hash: result.modelIdentity },
      precision: result.precision,
      provider: result.provider,
    });
    const newbie = newbieMetadata({
      request,
      imageIndex: im.index,
      precision: result.precision,
      provider: result.provider,
      model: { name: modelName, identity: result.modelIdentity, graphVersion: GRAPH_BUILDER_VERSION },
      appVersion: appVersion(),
      onnxruntimeVersion: result.ortVersion,
    });
    return {
      index: im.index,
      seed: im.seed,
      width: im.width,
      height: im.height,
      png: encodePng(im.rgb, im.width, im.height, { parameters, newbie }),
    };
  });
}

export interface PersistExtras {
  jobId?: string;
  peakVram?: number;
  peakRam?: number;
  predictedVram?: number;
}

/** Writes the PNGs (atomically, file before row) and commits the history rows. */
export async function persistResult(
  store: HistoryStore,
  request: GenerationRequest,
  result: HostResult,
  modelDir: string,
  extras: PersistExtras = {},
): Promise<SavedGeneration> {
  const images = encodeResultPngs(request, result, modelDir);
  const peakRam = extras.peakRam ?? Math.max(0, ...Object.values(result.peakRss));
  return store.saveGeneration({
    request,
    jobId: extras.jobId,
    result: {
      images,
      precision: result.precision,
      provider: result.provider,
      modelIdentity: result.modelIdentity,
      modelName: basename(modelDir),
      timings: result.timings,
      peakVram: extras.peakVram,
      peakRam,
      predictedVram: extras.predictedVram,
    },
  });
}
