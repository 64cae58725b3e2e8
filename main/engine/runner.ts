/**
 * Which process runs a piece of unfinished work. Jobs and loops record the pid of the engine process
 * running them, so an engine starting up recovers (marks interrupted, sweeps half-written files) only
 * the work of processes that are gone, never that of another engine alive on the same database, such
 * as `cuebank` run in a terminal while the app is open. One machine is enough to ask: the database
 * runs in SQLite's WAL mode, which does not work across machines.
 */
export const RUNNER_PID = process.pid;

/**
 * Whether `pid` is another process still alive (its work is not ours to recover). This process's
 * own pid is not: an earlier engine in it has closed or is being replaced. A pid the system has
 * since given to an unrelated process reads as alive, which only delays recovery to a later start.
 */
export function runsElsewhere(pid: number | null): boolean {
  if (pid == null || pid === RUNNER_PID) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
