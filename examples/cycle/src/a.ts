import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env/worker-a.ts";

export default class A extends WorkerEntrypoint<Env> {
  async fetch(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/leaf") return new Response("a-leaf");
    if (url.pathname === "/self") {
      const self = await this.env.SELF.fetch(new URL("/leaf", url));
      return new Response(`a>self>${await self.text()}`);
    }
    const viaB = await this.env.B.fetch(new URL("/from-a", url));
    return new Response(`a>${await viaB.text()}`);
  }
}
