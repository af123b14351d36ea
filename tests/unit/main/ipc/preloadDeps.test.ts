/**
 * The sandboxed preload can `require` only electron (a few Node built-ins at most), and electron-vite leaves
 * package imports external. So no module the preload loads at run time may import a package: walk its value imports.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Value (non-type) import specifiers of a TS file. */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[2]) continue;
    // `import { type A, type B } from` only imports types too.
    const clause = /\{([^}]*)\}/.exec(m[0])?.[1];
    if (clause && clause.split(',').every((p) => p.trim() === '' || p.trim().startsWith('type '))) continue;
    out.push(m[3]!);
  }
  return out;
}

function runtimePackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of valueImports(file)) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      if (!target) throw new Error(`cannot resolve ${spec} from ${file}`);
      visit(target);
    }
  };
  visit(entry);
  return packages;
}

describe('preload dependencies', () => {
  it('loads no package but electron at run time', () => {
    const preload = join(__dirname, '../../../../src/preload/index.ts');
    expect([...runtimePackages(preload)]).toEqual(['electron']);
  });

  it('the walker sees value imports of packages (the service does import zod)', () => {
    expect(runtimePackages(join(__dirname, '../../../../src/shared/apiSchemas.ts'))).toContain('zod');
  });
});
