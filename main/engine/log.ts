import fs from 'node:fs';
import path from 'node:path';

/**
 * The engine's log: `<dataDir>/engine.log`, one timestamped line each. It holds what users are
 * not shown, such as the internal message behind a file's failure (the failure itself is stored as
 * a sentence). Writing it never fails the work that logs: a log that cannot be written is skipped.
 */
export function engineLog(dataDir: string): (line: string) => void {
  const file = path.join(dataDir, 'engine.log');
  let ready = false;
  return (line) => {
    try {
      if (!ready) fs.mkdirSync(dataDir, { recursive: true });
      ready = true;
      fs.appendFileSync(file, `${new Date().toISOString()} ${line.replace(/\s+/g, ' ')}\n`);
    } catch {
      // a full or read-only disk must not turn a file's failure into the job's
    }
  };
}
