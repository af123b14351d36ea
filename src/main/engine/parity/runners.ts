/**
 * Imports every kind's parity runner (each registers itself), then re-exports the case runner.
 * Add one import line per kind.
 */
import './dit';
import './sampler';
import './gemma';
import './jina';
import './vae';
export { runParityCase } from './index';
