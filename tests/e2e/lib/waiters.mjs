// Waiting on events without sleeps: the owner of a connection or process calls wake() after
// every event it records, and each pending wait re-runs its step then. One class for every
// client in lib/, so a deadline and a wait that ends in failure behave the same in all of them.

export class Waiters {
  #pending = new Set();

  /** Runs every pending step; call it after each event that may change what a step sees. */
  wake() {
    for (const step of this.#pending) step();
  }

  /**
   * Resolves with the first value other than undefined that step() returns. step runs at once
   * and after every wake(); what it throws rejects the wait (so a step fails a wait by throwing,
   * e.g. when the connection it waits on has closed). After timeoutMs the wait rejects with
   * timeoutError(), built only then so it can describe the state at the deadline.
   */
  until(step, timeoutMs, timeoutError) {
    return new Promise((resolve, reject) => {
      const finish = (settle, value) => {
        clearTimeout(timer);
        this.#pending.delete(run);
        settle(value);
      };
      const run = () => {
        let value;
        try {
          value = step();
        } catch (error) {
          finish(reject, error);
          return;
        }
        if (value !== undefined) finish(resolve, value);
      };
      const timer = setTimeout(() => finish(reject, timeoutError()), timeoutMs);
      this.#pending.add(run);
      run();
    });
  }
}
