// A loopback HTTP server that answers from a script, one entry per request, and
// logs what it received: for tests that need answers BirdEye would never give on
// purpose (HTML, truncated JSON, resets, delays).
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptedAnswer =
  | {
      readonly status: number;
      readonly body?: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly delayMs?: number;
      /** Send the body one byte every trickleMs (an answer that never stalls long enough for an idle timeout). */
      readonly trickleMs?: number;
    }
  | { readonly reset: true };

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly atMs: number;
}

export interface ScriptedServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Queue more answers; when the script runs out, the server answers 599. */
  push(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

export async function startScriptedServer(...answers: ScriptedAnswer[]): Promise<ScriptedServer> {
  const script: ScriptedAnswer[] = [...answers];
  const received: ReceivedRequest[] = [];
  const started = Date.now();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        atMs: Date.now() - started,
      });
      const answer = script.shift() ?? { status: 599, body: '{"code":599,"message":"script exhausted"}' };
      if ("reset" in answer) {
        req.socket.destroy();
        return;
      }
      const reply = (): void => {
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        if (answer.trickleMs === undefined) {
          res.end(answer.body ?? "");
          return;
        }
        const bytes = Buffer.from(answer.body ?? "");
        let sent = 0;
        const timer = setInterval(() => {
          if (sent >= bytes.length || res.destroyed) {
            clearInterval(timer);
            res.end();
            return;
          }
          res.write(bytes.subarray(sent, sent + 1));
          sent += 1;
        }, answer.trickleMs);
        res.once("close", () => clearInterval(timer));
      };
      if (answer.delayMs === undefined) reply();
      else {
        // Not answered once the client has gone (its timeout): nothing left pending.
        const timer = setTimeout(reply, answer.delayMs);
        res.once("close", () => clearTimeout(timer));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    push: (...more) => script.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
