import type { Env } from "../env/api-worker.ts";

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/rpc") {
      const v = await env.AUTH.verify("7");
      const c = await env.BILLING.charge(250);
      return new Response(`api>rpc:${v.ok}:${v.user}:${c}`);
    }
    const a = await (await env.AUTH.fetch(req.url)).text();
    const b = await (await env.BILLING.fetch(req.url)).text();
    return new Response(`api>${a}|${b}`);
  },
} satisfies ExportedHandler<Env>;
