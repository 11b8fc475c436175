// Which ioredis the suite runs on: 5 by default, 6 in the `ioredis6` vitest project.
// The store code under test imports `ioredis` the same way as this file.
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';

it('runs on the ioredis major its project names', () => {
  const client = new Redis({ lazyConnect: true });
  // ioredis 6 speaks RESP3 by default (`protocol: 3`); ioredis 5 has no such option.
  const protocol = (client.options as { protocol?: number }).protocol;
  expect(protocol).toBe(process.env.CACHEWISE_TEST_IOREDIS === 'ioredis6' ? 3 : undefined);
  client.disconnect();
});
