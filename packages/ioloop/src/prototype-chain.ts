/**
 * `first` and the objects it inherits from, nearest first, up to `until` (not included) or the end of the
 * chain. `until: Object.prototype` leaves out what every object inherits.
 */
export function* prototypeChain(first: object | null, until: object | null = null): Generator<object> {
  for (
    let owner = first;
    owner !== null && owner !== until;
    owner = Object.getPrototypeOf(owner) as object | null
  ) {
    yield owner
  }
}
