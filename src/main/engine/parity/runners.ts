/**
 * Imports every kind's parity runner (each registers itself), then re-exports the case runner.
 * Add one import line per kind.
 */
export { runParityCase } from './index';
