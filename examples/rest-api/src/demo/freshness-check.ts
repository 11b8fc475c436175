// The client-side stale-read check. Each PUT writes a name carrying a per-user sequence
// number, and the load never sends two PUTs for one user at once, so for each user the
// last PUT that had returned before a GET was sent names the oldest name that GET may
// return. A GET that returns an older name is a stale read.

const NAME = /^User (\d+)(?: ([0-9a-f]+)-v(\d+))?$/;

interface Write {
  readonly doneAt: number;
  readonly seq: number;
}

export class FreshnessCheck {
  /** Per user, the PUTs that returned, in order. */
  readonly #writes = new Map<number, Write[]>();
  readonly #inFlight = new Set<number>();
  readonly #nextSeq = new Map<number, number>();
  stale = 0;
  /** A few stale reads, for the report. */
  readonly examples: string[] = [];

  /** @param run a token unique to this run: names written by earlier runs count as sequence 0. */
  constructor(private readonly run: string) {}

  /** Whether a PUT may be sent for this user now (none is in flight for it). */
  canWrite(id: number): boolean {
    return !this.#inFlight.has(id);
  }

  /** A PUT is being sent: the name it writes. */
  startWrite(id: number): { name: string; seq: number } {
    const seq = (this.#nextSeq.get(id) ?? 0) + 1;
    this.#nextSeq.set(id, seq);
    this.#inFlight.add(id);
    return { name: `User ${id} ${this.run}-v${seq}`, seq };
  }

  /** The PUT returned (`ok` false: it failed, and its outcome is unknown). */
  endWrite(id: number, seq: number, ok: boolean, now: number): void {
    this.#inFlight.delete(id);
    if (!ok) return;
    let list = this.#writes.get(id);
    if (list === undefined) this.#writes.set(id, (list = []));
    list.push({ doneAt: now, seq });
  }

  /** Checks a name a GET sent at `sentAt` returned for user `id`. */
  read(id: number, name: string, sentAt: number): void {
    const required = this.#required(id, sentAt);
    if (required === 0) return;
    const got = this.#seqOf(name);
    if (got < required) {
      this.stale++;
      if (this.examples.length < 5)
        this.examples.push(`user ${id}: got ${JSON.stringify(name)}, expected v${required} or later`);
    }
  }

  #required(id: number, sentAt: number): number {
    const list = this.#writes.get(id);
    if (list === undefined) return 0;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.doneAt < sentAt) return list[i]!.seq;
    }
    return 0;
  }

  #seqOf(name: string): number {
    const match = NAME.exec(name);
    if (match === null || match[2] !== this.run) return 0;
    return Number(match[3]);
  }
}
