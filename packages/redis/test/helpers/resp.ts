import { connect } from 'node:net';
import { LOCALHOST } from './free-port.js';

/**
 * Sends one command on a fresh connection and resolves with the reply as text (simple string,
 * bulk string or integer; a nil bulk is ''), or rejects with the Redis error. Arrays are not
 * supported: this exists only for readiness polling, where ioredis's reconnect and offline
 * queue would blur "not up yet" into "slow".
 */
export function rawCommand(
  port: number,
  args: readonly string[],
  { host = LOCALHOST, timeoutMs = 500 }: { host?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host, port });
    const finish = (error: Error | undefined, reply = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    // A SIGSTOPped server still accepts connections (the kernel does the handshake), so
    // only a timeout tells "paused" from "answering".
    const timer = setTimeout(
      () => finish(new Error(`no reply from ${host}:${port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`${host}:${port} closed the connection before replying`)));
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const reply = parseReply(buffer);
      if (reply) finish(reply.error ? new Error(reply.text) : undefined, reply.text);
    });
  });
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/** Undefined while the reply is still incomplete. */
function parseReply(buffer: Buffer): { text: string; error: boolean } | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[0] ?? 0);
  const head = buffer.toString('utf8', 1, lineEnd);
  if (type !== '$') return { text: head, error: type === '-' };
  const length = Number(head);
  if (length < 0) return { text: '', error: false };
  const start = lineEnd + 2;
  if (buffer.length < start + length + 2) return undefined;
  return { text: buffer.toString('utf8', start, start + length), error: false };
}
