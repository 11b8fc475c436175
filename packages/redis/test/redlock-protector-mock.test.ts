// redlockProtector on ioredis-mock, for users' own unit tests without a server: lock,
// refusal, release notice and re-lock all work on the mock.
import { redlockProtector } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { expect, it } from 'vitest';

it('locks, refuses a second holder, wakes a waiter on release, and locks again on ioredis-mock', async () => {
  // Two mocks with the same host share data, like two processes on one server.
  const [a, b] = [1, 2].map(() => new RedisMock({ host: 'redlock-mock' }) as unknown as Redis) as [Redis, Redis];
  const [holder, other] = [redlockProtector({ client: a }), redlockProtector({ client: b, wait: 10_000 })];
  try {
    const lock = await holder.tryLock('k');
    expect(lock).toBeDefined();
    expect(await other.tryLock('k')).toBeUndefined();
    const waiting = other.waitForRelease('k');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await lock!.release();
    expect(await waiting).toBe(true);
    const again = await other.tryLock('k');
    expect(again).toBeDefined();
    await again!.release();
  } finally {
    await Promise.all([holder.close(), other.close()]);
    a.disconnect();
    b.disconnect();
  }
});
