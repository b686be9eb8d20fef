/**
 * docker credential helpers, run as docker runs them: the program
 * `docker-credential-NAME get` reads the registry's server URL on its
 * standard input and prints `{"ServerURL", "Username", "Secret"}`; a
 * Username of `<token>` makes the Secret an identity token (an OAuth2
 * refresh token). The helper says "credentials not found" on a non-zero
 * exit when it holds nothing for the server.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';
import type { Credentials } from './credentials.js';

/** How long a helper may take (one that asks a cloud's API included). */
export const HELPER_TIMEOUT_MS = 30_000;
/** Output kept from a helper: credentials are a few hundred bytes. */
const MAX_OUTPUT = 64 * 1024;
/** What helpers print when they hold nothing for the server. */
const NOT_FOUND = /credentials not found/i;
/** docker's user name for an identity token. */
const TOKEN_USER = '<token>';

const answer = z.object({
  Username: z.string(),
  Secret: z.string(),
});

/** Credentials from the helper, or why there are none. */
export type HelperAnswer =
  { readonly credentials: Credentials } | { readonly none: string };

/**
 * Asks `program` for the credentials of `serverUrl`. Never throws: a
 * helper that is missing, fails, hangs or answers nonsense gives no
 * credentials, with the reason.
 */
export async function askHelper(
  program: string,
  serverUrl: string,
  opts: { readonly env: NodeJS.ProcessEnv; readonly timeoutMs?: number },
): Promise<HelperAnswer> {
  const timeoutMs = opts.timeoutMs ?? HELPER_TIMEOUT_MS;
  const run = await runGet(program, serverUrl, opts.env, timeoutMs);
  if ('none' in run) return run;
  const { code, stdout, stderr } = run;
  if (code !== 0) {
    if (NOT_FOUND.test(stdout) || NOT_FOUND.test(stderr)) {
      return { none: `holds no credentials for ${serverUrl}` };
    }
    const said = (stderr.trim() || stdout.trim()).slice(0, 200);
    return { none: `failed (exit ${code}${said ? `: ${said}` : ''})` };
  }
  let parsed: z.infer<typeof answer>;
  try {
    parsed = answer.parse(JSON.parse(stdout));
  } catch {
    return { none: 'answered with something other than its JSON' };
  }
  if (parsed.Username === '' && parsed.Secret === '') {
    return { none: `holds no credentials for ${serverUrl}` };
  }
  if (parsed.Username === TOKEN_USER) {
    return { credentials: { identityToken: parsed.Secret } };
  }
  return {
    credentials: { username: parsed.Username, password: parsed.Secret },
  };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runGet(
  program: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Run | { none: string }> {
  return new Promise((resolve) => {
    // A process group of its own: a helper that is a script can leave
    // children holding its pipes, and a timeout must end them too.
    const child = spawn(program, ['get'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let kept = 0;
    const keep = (into: Buffer[]) => (c: Buffer) => {
      if (kept >= MAX_OUTPUT) return;
      kept += c.length;
      into.push(c);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer = setTimeout(() => {
      killGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      child.stdin.destroy();
      resolve({ none: `did not answer within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({
        none:
          e.code === 'ENOENT'
            ? 'is not installed (not found on PATH)'
            : `cannot be run (${errorMessage(e)})`,
      });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    // A helper that exits without reading its input must not fail us.
    child.stdin.on('error', () => {});
    child.stdin.end(serverUrl);
  });
}

/** Ends a helper's whole process group, whatever it started. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
