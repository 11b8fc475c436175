import { StoreError } from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';

/**
 * Policies that never pick the store's bookkeeping ahead of the entries it guards:
 * `noeviction` evicts nothing; `volatile-ttl` evicts the keys nearest to expiry first,
 * and tag and generation keys always expire after the entries they guard.
 */
export const SAFE_POLICIES: readonly string[] = ['noeviction', 'volatile-ttl'];

// Once per process per policy, as process warnings go: a service with ten caches on one
// misconfigured Redis gets one line in its log, not ten. The error events stay per cache.
const warned = new Set<string>();

/** The process warning for an unsafe policy, once per process per policy. */
export function warnEvictionPolicy(finding: StoreError, policy: string): void {
  if (warned.has(policy)) return;
  warned.add(policy);
  process.emitWarning(finding.message, { type: 'CachewiseWarning', code: EVICTION_POLICY_CODE });
}

export const EVICTION_POLICY_CODE = 'CACHEWISE_EVICTION_POLICY';

/** The finding for a policy, or undefined when it is safe. */
export function policyFinding(policy: string): StoreError | undefined {
  if (SAFE_POLICIES.includes(policy)) return undefined;
  return new StoreError(
    `redis store: the server's maxmemory-policy is '${policy}', which can evict the store's tag and ` +
      'generation keys. An evicted one is recreated with a new version, so the entries it guarded ' +
      'read as stale (misses, all of a namespace at once if its tag goes), never as fresh. ' +
      `Safe policies: ${SAFE_POLICIES.join(', ')}; or size Redis so that it never evicts.`,
  );
}

/**
 * Reads `maxmemory-policy` from the server (every primary of a Cluster) each time the
 * client becomes ready, and hands each unsafe policy to `found` (once per policy). A server that refuses CONFIG (managed Redis often renames
 * or disables it) is left alone: nothing is reported. Returns the function that stops
 * watching.
 */
export function watchEvictionPolicy(
  client: Redis | Cluster,
  found: (error: StoreError, policy: string) => void,
): () => void {
  const seen = new Set<string>();
  const check = (): void => {
    const isCluster = (client as { isCluster?: boolean }).isCluster === true;
    const nodes = isCluster ? (client as Cluster).nodes('master') : [client as Redis];
    for (const node of nodes) {
      node.config('GET', 'maxmemory-policy').then(
        (reply) => {
          const policy = Array.isArray(reply) ? reply[1] : undefined;
          if (typeof policy !== 'string' || seen.has(policy)) return;
          const finding = policyFinding(policy);
          if (finding === undefined) return;
          seen.add(policy);
          found(finding, policy);
        },
        () => {}, // CONFIG disabled or renamed, or the connection went: nothing to say
      );
    }
  };
  if (client.status === 'ready') check();
  client.on('ready', check);
  return () => {
    client.off('ready', check);
  };
}
