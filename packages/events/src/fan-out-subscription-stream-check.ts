/** What a stream check needs from the server's stream info. */
export interface StreamSnapshot {
  /** When the stream was created (ISO text from the server): a new value means the stream was deleted and created again. */
  created: string;
  /** The stream's last sequence. */
  lastSeq: number;
}

/** Why a stream no longer continues the one a subscription was following. */
export type StreamResetCause = 'recreated' | 'behind-position';

/**
 * Compares what the server reports about a stream with what a subscription last knew of it, and
 * tracks how long the stream has held messages the subscription has not handled yet. A stream
 * that was deleted and created again (by an operator, or by a service after the server lost its
 * store) restarts at sequence 1: resuming at the old position would silently skip every new
 * message until the sequences caught up, so such a stream must be read again from the start of
 * the window instead.
 *
 * @example
 * const check = new StreamCheck({ created: info.created, lastSeq: info.state.last_seq });
 * const cause = check.resetCause({ created: next.created, lastSeq: next.state.last_seq }, position);
 * if (cause !== undefined) rebuild();
 */
export class StreamCheck {
  #created: string;
  #streamLastSeq: number;
  /** The last stream sequence known to be ahead of the handled one, and since when (clock ms). */
  #behind: { target: number; since: number } | undefined;

  constructor(initial: StreamSnapshot) {
    this.#created = initial.created;
    this.#streamLastSeq = initial.lastSeq;
  }

  /** The stream's last sequence at the last check (or at the start). */
  get streamLastSeq(): number {
    return this.#streamLastSeq;
  }

  /**
   * Since when (clock ms) the stream has held a message not handled yet, as seen by the checks;
   * `undefined` while the subscription is level with the last check. Checks are periodic, so the
   * real lag may be up to one check interval longer.
   */
  get behindSince(): number | undefined {
    return this.#behind?.since;
  }

  /**
   * @param snapshot - the stream as the server reports it now
   * @param position - the last sequence the subscription has taken from the stream (0 before the first)
   * @returns why the stream is not the one the subscription followed, or `undefined` when it is
   */
  resetCause(snapshot: StreamSnapshot, position: number): StreamResetCause | undefined {
    if (snapshot.created !== this.#created) return 'recreated';
    // Sequences never go down in one stream's life, whatever is purged: a lower last sequence is another stream.
    if (snapshot.lastSeq < position) return 'behind-position';
    return undefined;
  }

  /** Follows a new stream from now on (after a reset was handled); forgets the lag of the old one. */
  adopt(snapshot: StreamSnapshot): void {
    this.#created = snapshot.created;
    this.#streamLastSeq = snapshot.lastSeq;
    this.#behind = undefined;
  }

  /**
   * Records the stream's last sequence at a check of the same stream.
   *
   * @param lastSeq - the stream's last sequence now
   * @param handledSeq - the last sequence the subscription has handled
   * @param now - clock ms
   */
  observe(lastSeq: number, handledSeq: number, now: number): void {
    this.#streamLastSeq = lastSeq;
    if (lastSeq <= handledSeq) this.#behind = undefined;
    else this.#behind ??= { target: lastSeq, since: now };
  }

  /** The subscription handled `seq`: once it reaches what a check saw, it is no longer behind. */
  handled(seq: number): void {
    if (this.#behind !== undefined && seq >= this.#behind.target) this.#behind = undefined;
  }
}
