import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { formatListenAddr, type ListenAddr } from '../config/address.js';
import { ClaroError, errorMessage } from '../errors.js';

/** Readable reasons for the listen errors an operator can fix. */
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
};

/**
 * Starts `server` listening and resolves with the address it bound (the
 * system's port when `addr.port` is 0). An empty host means every
 * interface, as in Go. Throws INVALID_ARGUMENT naming the address when it
 * cannot be used: the configuration must change.
 */
export function listen(server: Server, addr: ListenAddr): Promise<ListenAddr> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const reason = LISTEN_FAILURES[err.code ?? ''] ?? errorMessage(err);
      reject(
        new ClaroError(
          'INVALID_ARGUMENT',
          `Cannot listen on ${formatListenAddr(addr)}: ${reason}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    const onListening = (): void => {
      server.off('error', onError);
      resolve(boundAddr(server));
    };
    if (addr.host === '') server.listen(addr.port, onListening);
    else server.listen(addr.port, addr.host, onListening);
  });
}

function boundAddr(server: Server): ListenAddr {
  const info = server.address() as AddressInfo;
  return { host: info.address, port: info.port };
}

/** `http://host:port/` for a bound address, IPv6 in brackets. */
export function httpUrl(addr: ListenAddr): string {
  return `http://${formatListenAddr(addr)}`;
}

/**
 * Stops accepting connections and resolves once every open one has
 * ended: idle keep-alive connections are closed now, busy ones after
 * their response. A server that never listened resolves at once.
 */
export function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();

  const closed = new Promise<void>((resolve) => {
    server.close(() => resolve());
  });
  server.closeIdleConnections();
  return closed;
}
