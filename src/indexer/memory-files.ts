import type { LayerFiles } from './scanner.js';

/**
 * LayerFiles over an in-memory map of path to contents. The layer reader
 * builds one per layer; tests build them from literal file contents.
 */
export function memoryFiles(
  files: ReadonlyMap<string, Buffer> | Record<string, string | Buffer>,
): LayerFiles {
  const map =
    files instanceof Map
      ? (files as ReadonlyMap<string, Buffer>)
      : new Map(
          Object.entries(files).map(([p, c]) => [
            p,
            typeof c === 'string' ? Buffer.from(c) : c,
          ]),
        );
  const sorted = [...map.keys()].sort();
  return {
    read: (path) => map.get(path),
    paths: () => sorted,
  };
}
