import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env/user-db-worker.ts";

export default class UserDb extends WorkerEntrypoint<Env> {
  async fetch(): Promise<Response> {
    const row = await this.env.DB.prepare("select 1 as one").first<{ one: number }>();
    return new Response(`user-db(${row?.one})`);
  }

  async getUser(id: string): Promise<{ id: string; name: string }> {
    return { id, name: `user-${id}` };
  }
}
