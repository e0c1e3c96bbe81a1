import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env/auth-worker.ts";

export default class Auth extends WorkerEntrypoint<Env> {
  async fetch(req: Request): Promise<Response> {
    const down = await this.env.USER_DB.fetch(req.url);
    return new Response(`auth>${await down.text()}`);
  }

  async verify(token: string): Promise<{ ok: boolean; user: string }> {
    const user = await this.env.USER_DB.getUser(token);
    return { ok: token.length > 0, user: user.name };
  }
}
