interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Calls made during one turn of the event loop, run together in the check phase of that turn
 * (setImmediate, so they wait for no timer): `run` gets the inputs of up to `max` calls at once
 * and answers each of them, in the same order. When a run fails, each of its calls fails with
 * its error. For round trips to a server whose cost is mostly per round trip (a read by key).
 */
export class TurnBatch<I, O> {
  private pending: Array<Waiting<I, O>> = [];

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly max: number,
  ) {
    if (!(max >= 1)) throw new Error('TurnBatch: max must be at least 1');
  }

  add(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.pending.push({ input, resolve, reject }) === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const all = this.pending;
    this.pending = [];
    for (let start = 0; start < all.length; start += this.max) {
      const chunk = all.slice(start, start + this.max);
      let answered: Promise<O[]>;
      try {
        answered = this.run(chunk.map((w) => w.input));
      } catch (e) {
        answered = Promise.reject(e);
      }
      answered.then(
        (outputs) => {
          if (outputs.length !== chunk.length) {
            const error = new Error(`TurnBatch: ${outputs.length} answers for ${chunk.length} calls`);
            for (const w of chunk) w.reject(error);
            return;
          }
          chunk.forEach((w, i) => w.resolve(outputs[i]));
        },
        (e: unknown) => {
          for (const w of chunk) w.reject(e);
        },
      );
    }
  };
}
