/**
 * Error catalogue. Every failure claro reports carries one of these codes;
 * the CLI maps the code to its exit status and the HTTP API to its status.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_IMAGE'
  | 'INVALID_LAYER'
  | 'INVALID_VERSION'
  | 'INVALID_FEED'
  | 'NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'FETCH_FAILED'
  | 'UNAUTHORIZED'
  | 'STORE_FAILED'
  | 'INTERNAL';

interface CatalogueEntry {
  /** Exit status of the `claro` command. Findings use their own code. */
  readonly exit: number;
  /** HTTP status for the Clair-compatible API. */
  readonly http: number;
}

/**
 * Exit codes are documented in README.md ("Exit codes"); keep both in step.
 * None of them is 1, the default of `--exit-code` for findings in CI.
 */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, CatalogueEntry>> = {
  INVALID_ARGUMENT: { exit: 64, http: 400 },
  INVALID_IMAGE: { exit: 65, http: 400 },
  INVALID_LAYER: { exit: 65, http: 400 },
  INVALID_VERSION: { exit: 65, http: 400 },
  INVALID_FEED: { exit: 69, http: 502 },
  NOT_FOUND: { exit: 66, http: 404 },
  DIGEST_MISMATCH: { exit: 65, http: 400 },
  FETCH_FAILED: { exit: 69, http: 502 },
  /** A registry refused the credentials, or asked for some and had none. */
  UNAUTHORIZED: { exit: 77, http: 502 },
  STORE_FAILED: { exit: 74, http: 500 },
  INTERNAL: { exit: 70, http: 500 },
};

/** The one error type claro throws on purpose. */
export class ClaroError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ClaroError';
    this.code = code;
  }
}

/** True when `err` is a ClaroError, optionally with the given code. */
export function isClaroError(
  err: unknown,
  code?: ErrorCode,
): err is ClaroError {
  if (!(err instanceof ClaroError)) return false;
  return code === undefined || err.code === code;
}

/** Message of any thrown value, for logs and notices. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
