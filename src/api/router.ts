import type { Route } from './route.js';

/** A route found for a path, with the path's parameters. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

interface Compiled {
  readonly route: Route;
  /** Literal segments, or `{name}` parameters matching one segment. */
  readonly segments: readonly string[];
}

/**
 * Finds routes by path. A `{name}` segment matches one non-empty path
 * segment, taken as is (digests need no decoding); everything else must
 * match exactly, with no trailing slash, as Clair's paths do.
 */
export class Router {
  readonly #routes: readonly Compiled[];

  constructor(routes: readonly Route[]) {
    this.#routes = routes.map((route) => ({
      route,
      segments: route.template.split('/'),
    }));
  }

  match(path: string): RouteMatch | undefined {
    const parts = path.split('/');
    for (const c of this.#routes) {
      const params = matchSegments(c.segments, parts);
      if (params) return { route: c.route, params };
    }
    return undefined;
  }
}

function matchSegments(
  segments: readonly string[],
  parts: readonly string[],
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, s] of segments.entries()) {
    const part = parts[i]!;
    if (s.startsWith('{') && s.endsWith('}')) {
      if (part === '') return undefined;
      params[s.slice(1, -1)] = part;
    } else if (s !== part) {
      return undefined;
    }
  }
  return params;
}
