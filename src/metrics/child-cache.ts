/**
 * Remembers a metric's child per label values in nested maps, so a hot path (every HTTP request,
 * every webhook) finds its child without building a label object or a key string each time.
 */
export function childCache2<C>(make: (a: string, b: string) => C): (a: string, b: string) => C {
  const byA = new Map<string, Map<string, C>>();
  return (a, b) => {
    let byB = byA.get(a);
    if (!byB) {
      byB = new Map();
      byA.set(a, byB);
    }
    let child = byB.get(b);
    if (child === undefined) {
      child = make(a, b);
      byB.set(b, child);
    }
    return child;
  };
}

export function childCache3<C>(
  make: (a: string, b: string, c: number) => C,
): (a: string, b: string, c: number) => C {
  const byAB = childCache2(() => new Map<number, C>());
  return (a, b, c) => {
    const byC = byAB(a, b);
    let child = byC.get(c);
    if (child === undefined) {
      child = make(a, b, c);
      byC.set(c, child);
    }
    return child;
  };
}
