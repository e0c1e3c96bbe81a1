import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env/billing-worker.ts";

export default class Billing extends WorkerEntrypoint<Env> {
  async fetch(): Promise<Response> {
    return new Response("billing");
  }

  async charge(cents: number): Promise<string> {
    return `charged ${cents}`;
  }
}
