/** The source of time for TTLs, jitter and early refresh. Tests inject a fake one. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}

// Reading the OS clock costs about as much as the rest of a memory hit, so the system
// clock keeps its last reading for at most 1 ms (a timer clears it) and at most 32 reads
// (so a long run of microtasks, which no timer interrupts, still sees time move).
const RESOLUTION_MS = 1;
const MAX_READS = 32;
let last = 0;
let reads = 0;

function expire(): void {
  last = 0;
}

/** The real clock, at 1 ms resolution. */
export const systemClock: Clock = {
  now() {
    if (last === 0 || ++reads > MAX_READS) {
      if (last === 0) setTimeout(expire, RESOLUTION_MS).unref();
      last = Date.now();
      reads = 0;
    }
    return last;
  },
};
