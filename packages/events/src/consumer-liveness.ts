/** Options of {@link ConsumerLiveness}. */
export interface ConsumerLivenessOptions {
  /** The idle heartbeat the server sends while a pull waits, in ms. */
  idleHeartbeatMs: number;
  /** How many heartbeat intervals of silence make the consumer count as lost. */
  missedHeartbeats: number;
  /** Milliseconds since the epoch; `Date.now` by default. */
  clock?: () => number;
}

/**
 * Decides when a consumer that went silent counts as lost. A pulled consumer sends a message or
 * an idle heartbeat at least every `idleHeartbeatMs` while a pull request waits; silence for
 * `missedHeartbeats` intervals means the server holding it is gone. Silence is not counted while
 * the connection is down (the client then recovers the consumer itself), nor while the
 * iteration is busy or not running: the client sends its next pull only once the iteration has
 * taken what came before, so heartbeats stop then too without anything being lost.
 *
 * @example
 * const liveness = new ConsumerLiveness({ idleHeartbeatMs: 5_000, missedHeartbeats: 2 });
 * liveness.waiting();
 * // on every heartbeat or message: liveness.sign(); every interval: if (liveness.silentFor() !== undefined) recreate();
 */
export class ConsumerLiveness {
  readonly #limitMs: number;
  readonly #clock: () => number;
  #lastSign: number;
  #waitingSince: number | undefined;
  #connected = true;

  constructor(options: ConsumerLivenessOptions) {
    this.#limitMs = options.idleHeartbeatMs * options.missedHeartbeats;
    this.#clock = options.clock ?? Date.now;
    this.#lastSign = this.#clock();
  }

  /** The consumer answered: a heartbeat, a message, or a new consumer (or connection) to wait on. */
  sign(): void {
    this.#lastSign = this.#clock();
  }

  /** The iteration waits for the next message: nothing queued, the loop body done. */
  waiting(): void {
    this.#waitingSince ??= this.#clock();
  }

  /** The iteration took a message; until it waits again, silence is back-pressure. */
  busy(): void {
    this.#waitingSince = undefined;
  }

  disconnected(): void {
    this.#connected = false;
  }

  /** Back on a server: the client gets its own chance to recover the consumer first. */
  reconnected(): void {
    this.#connected = true;
    this.sign();
  }

  /**
   * @returns how long the consumer has been silent while it should have spoken, once that reaches
   *   the limit; `undefined` while it is alive, the connection is down or the iteration is not waiting
   */
  silentFor(): number | undefined {
    if (!this.#connected || this.#waitingSince === undefined) return undefined;
    const silentMs = this.#clock() - Math.max(this.#lastSign, this.#waitingSince);
    return silentMs >= this.#limitMs ? silentMs : undefined;
  }
}
