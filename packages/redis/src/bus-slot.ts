import type { Cluster, Redis } from 'ioredis';

/**
 * The Cluster hash slot of a name, as Redis computes it for a key: CRC16 (XMODEM) of the
 * name, or of its first non-empty `{hash tag}`, modulo 16384.
 */
export function hashSlot(name: string): number {
  const bytes = Buffer.from(name);
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b); // {
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/**
 * Where to PUBLISH `channel` on a Cluster: the master that owns the channel's slot. ioredis
 * sends a keyless command like PUBLISH to a random node, and each node forwards what it
 * receives over its own cluster-bus links, so two messages sent through two nodes can reach
 * a subscriber in either order. Always the same node per channel keeps one publisher's
 * messages in order. Falls back to the Cluster client (a random node) while the slot map
 * is not known yet, or names a node it has no connection to.
 */
export function publishTarget(cluster: Cluster, channel: string): Redis | Cluster {
  const owner = cluster.slots[hashSlot(channel)]?.[0];
  if (owner === undefined) return cluster;
  for (const node of cluster.nodes('master')) {
    if (`${node.options.host}:${node.options.port}` === owner) return node;
  }
  return cluster;
}
