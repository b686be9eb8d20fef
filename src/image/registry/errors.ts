/**
 * The errors of a pull, all "Cannot pull <reference>: <why>", so that the
 * reference the user gave is named whatever step failed.
 */
import { ClaroError } from '../../errors.js';
import type { Credentials, HelperMiss } from './credentials.js';
import { formatReference, type ImageReference } from './reference.js';

/** Who is asking, for the messages of refused access. */
export interface PullContext {
  readonly ref: ImageReference;
  readonly credentials?: Credentials;
  /** The credential helper docker's config names, which gave none. */
  readonly helper?: HelperMiss;
}

/** "Cannot pull <reference>: <why>", with the given code. */
export function cannotPull(
  ref: ImageReference,
  why: string,
  opts: { readonly code: ClaroError['code']; readonly cause?: unknown },
): ClaroError {
  return new ClaroError(
    opts.code,
    `Cannot pull ${formatReference(ref)}: ${why}`,
    opts.cause === undefined ? undefined : { cause: opts.cause },
  );
}

/**
 * UNAUTHORIZED: the credentials were refused, or there were none; `what`
 * says who answered what.
 */
export function refused(ctx: PullContext, what: string): ClaroError {
  const host = ctx.ref.registry;
  if (ctx.credentials) {
    return cannotPull(
      ctx.ref,
      `registry ${host} refused the credentials (${what})`,
      { code: 'UNAUTHORIZED' },
    );
  }
  const helper = ctx.helper
    ? `; docker's config names the credential helper ` +
      `${ctx.helper.program}, which ${ctx.helper.why}`
    : '';
  return cannotPull(
    ctx.ref,
    `registry ${host} requires credentials (${what})${helper}: give ` +
      '--username with --password or --password-stdin, set ' +
      'CLARO_REGISTRY_USERNAME and CLARO_REGISTRY_PASSWORD, or docker login',
    { code: 'UNAUTHORIZED' },
  );
}

/**
 * An error of a step that names only its own target ("Cannot fetch the
 * API of registry ..."), restated to name the reference as well; one
 * that already does, or is not claro's, is returned as it is.
 */
export function namingReference(ref: ImageReference, err: unknown): unknown {
  if (!(err instanceof ClaroError)) return err;
  const prefix = `Cannot pull ${formatReference(ref)}: `;
  if (err.message.startsWith(prefix)) return err;
  const why = err.message.replace(/^Cannot /, 'cannot ');
  return new ClaroError(err.code, `${prefix}${why}`, { cause: err });
}
