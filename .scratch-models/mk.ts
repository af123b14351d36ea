import { makeTinyModel } from '../src/main/models/tiny';
const t0 = Date.now();
const info = makeTinyModel(process.argv[2], { layout: (process.argv[3] as 'hub') ?? 'hub', size: (process.argv[4] as 'tiny') ?? 'tiny' });
console.log(Date.now() - t0, 'ms', info.files.length, info.dit);
