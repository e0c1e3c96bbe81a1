// The migrated bindings carry the targets' RPC methods (checked by tsc in the test suite).
import type { Env as ApiEnv } from "../env/api-worker.ts";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

export type _t = [
  Assert<Equals<Parameters<ApiEnv["AUTH"]["verify"]>, [token: string]>>,
  Assert<Equals<Awaited<ReturnType<ApiEnv["BILLING"]["charge"]>>, string>>,
  Assert<ApiEnv["AUTH"] extends Fetcher ? true : false>,
];
