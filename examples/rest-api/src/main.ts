// `pnpm serve`: the REST API on PORT (default 3000) with CACHE=none|memory|redis|tiered.
import 'reflect-metadata';
import { ConfigError, readConfig } from './config.js';
import { startService } from './service.js';

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`rest-api: ${error.message}`);
  process.exit(1);
}

const service = await startService(config);
const url = await service.listen();
console.log(
  `rest-api listening on ${url} (cache: ${config.cache}, database: ${service.db.kind}, ` +
    `DB_DELAY_MS=${config.dbDelayMs})`,
);
console.log(`  try: curl -i ${url}/users/1`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await service.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
