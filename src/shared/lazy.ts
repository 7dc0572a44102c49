/** A value made on first use, so a command that never needs it does not pay for it at start-up. */
export function lazy<T>(make: () => T): () => T {
  let made: { readonly value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
