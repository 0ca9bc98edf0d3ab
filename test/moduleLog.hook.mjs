// A Node module hook that appends every module URL it resolves to $ROADCAST_MODULE_LOG: the
// CLI test uses it to see which modules a command loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.ROADCAST_MODULE_LOG, `${result.url}\n`);
  return result;
}
