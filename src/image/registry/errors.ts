/**
 * The errors of a pull, all "Cannot pull <reference>: <why>", so that the
 * reference the user gave is named whatever step failed.
 */
import { ClaroError } from '../../errors.js';
import type { Credentials } from './credentials.js';
import { formatReference, type ImageReference } from './reference.js';

/** Who is asking, for the messages of refused access. */
export interface PullContext {
  readonly ref: ImageReference;
  readonly credentials?: Credentials;
  /** A credential helper that holds this registry's credentials. */
  readonly helper?: string;
}

/** "Cannot pull <reference>: <why>", with the given code. */
export function cannotPull(
  ref: ImageReference,
  code: ClaroError['code'],
  why: string,
  cause?: unknown,
): ClaroError {
  return new ClaroError(
    code,
    `Cannot pull ${formatReference(ref)}: ${why}`,
    cause === undefined ? undefined : { cause },
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
      'UNAUTHORIZED',
      `registry ${host} refused the credentials (${what})`,
    );
  }
  const helper = ctx.helper
    ? `; docker keeps them with ${ctx.helper}, which claro cannot use`
    : '';
  return cannotPull(
    ctx.ref,
    'UNAUTHORIZED',
    `registry ${host} requires credentials (${what})${helper}: give ` +
      '--username with --password or --password-stdin, set ' +
      'CLARO_REGISTRY_USERNAME and CLARO_REGISTRY_PASSWORD, or docker login',
  );
}
