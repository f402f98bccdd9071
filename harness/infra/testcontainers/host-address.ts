/**
 * testcontainers' port forwarder makes a host port reachable from containers at this name. It works for
 * servers bound to 127.0.0.1 (the lab's /metrics is), which `host.docker.internal` on a Linux engine
 * (the bridge gateway) does not reach.
 */
export const FORWARDED_HOST = "host.testcontainers.internal";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|0\.0\.0\.0|\[::1?\])$/;

export interface ContainerAddress {
  /** host:port as Prometheus in a container dials it. */
  address: string;
  /** The host port to forward first, when the address was the host's own loopback. */
  forwardPort: number | undefined;
}

/** Maps a scrape address given as seen from the host onto one a container can reach. */
export function addressFromContainer(address: string): ContainerAddress {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (colon > 0 && LOOPBACK.test(host) && Number.isInteger(port) && port > 0 && port < 65_536) {
    return { address: `${FORWARDED_HOST}:${port}`, forwardPort: port };
  }
  return { address, forwardPort: undefined };
}
