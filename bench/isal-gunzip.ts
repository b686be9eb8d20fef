import { createRequire } from 'node:module';
import { Transform } from 'node:stream';
import { isalAddon } from '../src/layer/isal.js';

/** The addon's interface (native/isal-inflate/src/inflate.c). */
interface IsalAddon {
  open(): unknown;
  inflate(
    handle: unknown,
    input: Uint8Array,
    inAt: number,
    output: Uint8Array,
    outAt: number,
  ): [number, number];
  ended(handle: unknown): boolean;
}

let addon: IsalAddon | null | undefined;

/** The ISA-L inflater addon, or undefined when it is not built. */
export function loadIsal(): IsalAddon | undefined {
  if (addon === undefined) {
    const found = isalAddon();
    addon =
      'path' in found
        ? (createRequire(import.meta.url)(found.path) as IsalAddon)
        : null;
  }
  return addon ?? undefined;
}

/**
 * A gunzip transform inflating with the ISA-L addon on the calling thread,
 * in `chunkSize` output pieces: the baseline's inflater when claro itself
 * inflates with ISA-L (on its worker, see src/layer/inflate.ts).
 */
export function isalGunzip(chunkSize: number): Transform {
  const isal = loadIsal();
  if (!isal) throw new Error('the ISA-L inflater addon is not built');
  const handle = isal.open();
  let out = new Uint8Array(chunkSize);
  let filled = 0;
  // The addon returns with room left in `out` only once it has used all
  // of `input`; a full `out` is passed on and the call repeated.
  const run = (input: Uint8Array, push: (b: Buffer) => void): void => {
    let at = 0;
    for (;;) {
      const [used, made] = isal.inflate(handle, input, at, out, filled);
      at += used;
      filled += made;
      if (filled < out.length) return;
      push(Buffer.from(out.buffer, 0, filled));
      out = new Uint8Array(chunkSize);
      filled = 0;
    }
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        run(chunk, (b) => this.push(b));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    flush(cb) {
      try {
        run(new Uint8Array(0), (b) => this.push(b));
        if (!isal.ended(handle)) throw new Error('unexpected end of file');
        if (filled > 0) this.push(Buffer.from(out.buffer, 0, filled));
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
  });
}
