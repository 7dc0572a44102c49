/** Growing counters sampled once a second: what each grew by over the last `slots` seconds. */
export class CounterWindow<K extends string> {
  private readonly samples: { readonly at: number; readonly values: Readonly<Record<K, number>> }[] = [];

  constructor(private readonly slots: number) {}

  sample(at: number, values: Readonly<Record<K, number>>): void {
    this.samples.push({ at, values });
    if (this.samples.length > this.slots + 1) this.samples.shift();
  }

  /** Growth of `key` over the window and the window's length in seconds (0 before two samples). */
  growth(key: K): { readonly delta: number; readonly seconds: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined) return { delta: 0, seconds: 0 };
    return { delta: last.values[key] - first.values[key], seconds: (last.at - first.at) / 1000 };
  }
}
