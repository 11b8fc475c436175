import type { Bus, BusHandlers } from '../bus.js';

/** One process's end of a {@link LocalBusHub}: a Bus, plus switches for tests. */
export interface LocalBus extends Bus {
  /** Its subscriptions stop receiving (`state(false)`); what is published meanwhile is lost to them. */
  disconnect(): void;
  /** Its subscriptions receive again (`state(true)`). */
  reconnect(): void;
  /** The next `count` messages to its subscriptions are lost, as pub/sub may lose them. */
  lose(count?: number): void;
  /** Makes `publish` reject, as a bus whose server is down does. */
  failPublish: boolean;
}

/** An in-process stand-in for a pub/sub server, for tests of tiered stores. */
export interface LocalBusHub {
  /** A new endpoint: give one to each tiered store, as each server has its own connection. */
  bus(): LocalBus;
  /** Messages published so far, on any channel. */
  readonly published: number;
}

/**
 * A bus for tests: tiered stores in one process, each with its own endpoint, see each
 * other's messages as servers do through Redis pub/sub (asynchronously, at most once).
 *
 * @example
 * const hub = localBusHub();
 * const a = tiered({ l1: memoryStore(), l2, bus: hub.bus() });
 * const b = tiered({ l1: memoryStore(), l2, bus: hub.bus() });
 */
export function localBusHub(): LocalBusHub {
  const endpoints = new Set<Endpoint>();
  let published = 0;
  interface Endpoint {
    connected: boolean;
    losing: number;
    readonly subscriptions: Map<string, Set<BusHandlers>>;
  }
  return {
    get published() {
      return published;
    },
    bus(): LocalBus {
      const endpoint: Endpoint = { connected: true, losing: 0, subscriptions: new Map() };
      endpoints.add(endpoint);
      const each = (run: (handlers: BusHandlers) => void) => {
        for (const set of endpoint.subscriptions.values()) for (const handlers of set) run(handlers);
      };
      const bus: LocalBus = {
        name: 'local',
        failPublish: false,
        async publish(channel, message) {
          if (bus.failPublish) throw new Error('local bus: publish failed');
          published++;
          for (const other of endpoints) {
            const handlers = other.subscriptions.get(channel);
            if (handlers === undefined || !other.connected) continue;
            if (other.losing > 0) {
              other.losing--;
              continue;
            }
            queueMicrotask(() => {
              if (other.connected) for (const handler of handlers) handler.message(message);
            });
          }
        },
        async subscribe(channel, handlers) {
          let set = endpoint.subscriptions.get(channel);
          if (set === undefined) {
            set = new Set();
            endpoint.subscriptions.set(channel, set);
          }
          set.add(handlers);
          return async () => {
            set.delete(handlers);
          };
        },
        disconnect() {
          if (!endpoint.connected) return;
          endpoint.connected = false;
          each((handlers) => handlers.state(false));
        },
        reconnect() {
          if (endpoint.connected) return;
          endpoint.connected = true;
          each((handlers) => handlers.state(true));
        },
        lose(count = 1) {
          endpoint.losing += count;
        },
        close() {
          endpoints.delete(endpoint);
        },
      };
      return bus;
    },
  };
}
