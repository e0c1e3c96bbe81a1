import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env/worker-b.ts";

export default class B extends WorkerEntrypoint<Env> {
  async fetch(req: Request): Promise<Response> {
    const back = await this.env.A.fetch(new URL("/leaf", req.url));
    return new Response(`b>${await back.text()}`);
  }
}
