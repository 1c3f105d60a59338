/** A tiny concurrency gate: at most `n` tasks of this limiter run at once (FIFO). */
export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimit(n: number): Limit {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n) return;
    const start = queue.shift();
    if (start) start();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
