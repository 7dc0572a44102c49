import { spawn } from 'node:child_process';

/*
 * A detached watchdog, like testcontainers' Ryuk but for everything a run starts: when the owner
 * process dies in any way (crash, SIGKILL, a lost terminal), it stops the listed servers (only if
 * the PID still names the same program), removes listed containers and deletes the run directory,
 * unless a server it did not start (restarted by hand) still works in it.
 * Plain sh so that it needs no loader and survives whatever killed Node.
 */
const REAPER_SCRIPT = `
owner="$1"; dir="$2"
while kill -0 "$owner" 2>/dev/null; do sleep 0.2; done
[ -d "$dir" ] || exit 0
signal_all() { # $1: a signal name, or "own" for each process's graceful signal
  for f in "$dir"/procs/*; do
    [ -f "$f" ] || continue
    read -r pid sig name < "$f"
    [ "$1" = own ] || sig="$1"
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$name" ] && kill -s "$sig" "$pid" 2>/dev/null
  done
}
any_alive() {
  for f in "$dir"/procs/*; do
    [ -f "$f" ] || continue
    read -r pid sig name < "$f"
    [ "$(cat /proc/$pid/comm 2>/dev/null)" = "$name" ] && return 0
  done
  return 1
}
in_use() { # a live process working in the directory: a server restarted by hand on this data
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$dir"|"$dir"/*) return 0 ;; esac
  done
  return 1
}
signal_all own
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do any_alive || break; sleep 0.1; done
signal_all KILL
for f in "$dir"/containers/*; do
  [ -f "$f" ] && docker rm -f -v "$(basename "$f")" >/dev/null 2>&1
done
in_use || rm -rf "$dir"
`;

export interface Reaper {
  readonly pid: number;
  /** Called at a clean end, after the owner has cleaned up itself. */
  stop(): void;
}

export function startReaper(ownerPid: number, runDir: string): Reaper {
  const child = spawn('sh', ['-c', REAPER_SCRIPT, 'tickstock-reaper', String(ownerPid), runDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  const pid = child.pid ?? -1;
  return {
    pid,
    stop: () => {
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    },
  };
}
