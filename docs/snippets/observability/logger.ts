import 'reflect-metadata';
import { Cached, createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { logger } from '../support.js';

// #region logger
// pino, winston, or anything with warn(message) and error(message)
const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'logged', logger });
// #endregion logger

class Invoice {
  constructor(readonly id: number) {}
}
class Invoices {
  @Cached({ cache })
  async find(id: number): Promise<Invoice> {
    return new Invoice(id);
  }
}
export const invoices = new Invoices();
