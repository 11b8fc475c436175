// #region create
import { redisBus } from '@cachewise/redis';
import { Redis } from 'ioredis';

const client = new Redis(process.env.REDIS_URL!);
const bus = redisBus({ client, timeout: '500ms' });

// Give it to tiered({ l1, l2, bus }); the tiered page shows the whole setup.
// #endregion create

export { bus, client };
