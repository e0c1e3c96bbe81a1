// Must NOT typecheck: the auth worker has no method `nonexistent`.
import type { Env } from "../env/api.ts";

export async function call(env: Env): Promise<unknown> {
  return env.AUTH.nonexistent("x");
}
