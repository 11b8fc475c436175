import { randomBytes } from 'node:crypto';
import type { Bus, BusHandlers } from '@cachewise/core';
import type { StoreReporter } from '@cachewise/core/store';
import { vi } from 'vitest';

/** What one subscription was told, in order. */
export interface Listener extends BusHandlers {
  readonly messages: string[];
  readonly states: boolean[];
  /** Waits (up to `timeoutMs`) until `count` messages arrived. */
  receive(count: number, timeoutMs?: number): Promise<string[]>;
  /** Waits (up to `timeoutMs`) until the last state told is `receiving`. */
  toldState(receiving: boolean, timeoutMs?: number): Promise<void>;
}

export function listener(): Listener {
  const messages: string[] = [];
  const states: boolean[] = [];
  return {
    messages,
    states,
    message: (message) => messages.push(message),
    state: (receiving) => states.push(receiving),
    receive: (count, timeoutMs = 10_000) =>
      vi.waitFor(
        () => {
          if (messages.length < count) throw new Error(`received ${messages.length} of ${count} messages`);
          return messages.slice(0, count);
        },
        { timeout: timeoutMs, interval: 5 },
      ),
    toldState: (receiving, timeoutMs = 15_000) =>
      vi.waitFor(
        () => {
          if (states.at(-1) !== receiving) throw new Error(`states so far: ${JSON.stringify(states)}`);
        },
        { timeout: timeoutMs, interval: 5 },
      ),
  };
}

/** A reporter that keeps what the bus reported. */
export function reporter(): StoreReporter & { readonly errors: Error[] } {
  const errors: Error[] = [];
  return { errors, error: (error) => errors.push(error) };
}

/** A channel name no other test uses. */
export function freshChannel(): string {
  return `cw-test-bus:${randomBytes(4).toString('hex')}`;
}

/** How long `run` took to settle, and how: for bounds that are the property under test. */
export async function settle<T>(
  run: () => Promise<T>,
): Promise<{ ms: number; ok: boolean; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await run();
    return { ms: performance.now() - started, ok: true, value };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, error };
  }
}

/** Closes the buses a test made, whatever happened in it. */
export function busTracker(): { track<B extends Bus>(bus: B): B; closeAll(): Promise<void> } {
  const buses = new Set<Bus>();
  return {
    track(bus) {
      buses.add(bus);
      return bus;
    },
    async closeAll() {
      await Promise.all([...buses].map((bus) => bus.close?.()));
      buses.clear();
    },
  };
}
