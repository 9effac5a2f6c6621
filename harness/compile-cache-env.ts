/**
 * Node's compile cache, turned on by the launcher with module.enableCompileCache(), holds only in the
 * thread that turned it on: a worker thread reads NODE_COMPILE_CACHE from its environment when it starts.
 * Without it, every hashing worker stripped and compiled its TypeScript again on every run.
 */
import module from 'node:module';
import path from 'node:path';

/** The environment for a worker thread: this process's, with the compile cache in use here, if any. */
export function workerEnv(): NodeJS.ProcessEnv {
  // The cache folder holds one subfolder per Node version; the variable names the folder itself.
  const dir = module.getCompileCacheDir?.();
  return dir === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: path.dirname(dir) };
}
