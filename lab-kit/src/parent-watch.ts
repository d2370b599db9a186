/**
 * Preloaded (`node --import`) into every Node process the lab starts (spawnTypeScript, the microservices' starter).
 * A launcher killed with SIGKILL, or by the out-of-memory killer, runs no cleanup, and its children would keep
 * running and holding their ports. Each child therefore watches the parent that started it (LAB_PARENT_PID): once it
 * is gone (the child was handed to another parent), the child sends itself SIGTERM, so its own bounded stop runs.
 * Importing this file has that effect only in a process started with LAB_PARENT_PID; it never keeps one alive.
 */
const parent = Number(process.env.LAB_PARENT_PID);
// The watch is this process's only: a process it starts in turn has a parent of its own.
delete process.env.LAB_PARENT_PID;

if (Number.isInteger(parent) && parent > 0) {
  const check = () => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, 'SIGTERM');
    // Should a handler swallow the signal, the process still ends.
    setTimeout(() => process.exit(1), 5000).unref();
  };
  const timer = setInterval(check, 500);
  timer.unref();
  // The parent may already be gone before this process got here.
  check();
}
