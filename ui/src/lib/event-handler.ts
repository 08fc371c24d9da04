// Event handlers that do async work: React ignores a handler's return value, so a rejected promise would go
// unnoticed. `handler(fn)` runs fn and hands a rejection to the console instead of dropping it.
export function handler<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): (...args: A) => void {
  return (...args: A) => {
    fn(...args).catch((err: unknown) => console.error(err));
  };
}
