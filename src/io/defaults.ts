/**
 * The addresses a run serves on by default. A module of its own, with no imports, so the CLI
 * can show them in `--help` without loading the servers.
 */
export const DEFAULT_PORT = 8765;
export const DEFAULT_FOXGLOVE_PORT = 8766;
/** Loopback by default: a simulator should not be reachable from the network unless asked. */
export const DEFAULT_HOST = '127.0.0.1';
