import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type HandlerName, ROUTES, routeKey } from '../core/api/routes.js';
import { statusAnswer } from '../core/fhir/operation-outcome.js';
import { FHIR_JSON } from '../core/fhir/systems.js';
import { type HubHandlers, httpHandlerOf } from '../functions/handlers.js';
import { FUNCTIONS } from '../functions/lib/lambdas.js';
import { httpApiEvent, lambdaContext } from './lambda-events.js';

/** API Gateway's own payload limit; the handlers enforce the hub's smaller one with a FHIR answer. */
const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP APIs refuse a request line and headers over 10 KB. */
const API_GATEWAY_MAX_HEADER_BYTES = 10 * 1024;

interface CompiledRoute {
  method: string;
  segments: string[];
  routeKey: string;
  handler: HandlerName;
}

const compiledRoutes: CompiledRoute[] = ROUTES.map((route) => {
  return {
    method: route.method,
    segments: route.path.split('/').filter(Boolean),
    routeKey: routeKey(route),
    handler: route.handler,
  };
});

/** A segment's decoded text; an undecodable one stays as it was (the request is refused before it gets here). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Matches a request to a route key the way API Gateway does: literal segments exact, {name} one segment. */
export function matchRoute(
  method: string,
  path: string,
): { route: CompiledRoute; pathParameters: Record<string, string> } | 'method-not-allowed' | undefined {
  const segments = path
    .split('/')
    .filter(Boolean)
    .map((s) => safeDecode(s));
  let pathMatched = false;
  for (const route of compiledRoutes) {
    if (route.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const ok = route.segments.every((s, i) => {
      if (s.startsWith('{') && s.endsWith('}')) {
        pathParameters[s.slice(1, -1)] = segments[i]!;
        return true;
      }
      return s === segments[i];
    });
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, pathParameters };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

/** Something else served on the hub's port under a path of its own (the local identity provider, the web app). */
export interface Mount {
  prefix: string;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * The local stand-in for API Gateway: turns each HTTP request into the HTTP API v2 event for its route and calls
 * the same Lambda handler the stack deploys. Requests that arrive before `opened` settles wait for it, so nothing
 * is answered until the hub has finished starting (and recorded where it listens).
 */
export function startHttpServer(
  handlers: HubHandlers,
  port: number,
  mounts: readonly Mount[] = [],
  opened: Promise<void> = Promise.resolve(),
  host = '127.0.0.1',
): Promise<Server> {
  const server = createServer({ maxHeaderSize: API_GATEWAY_MAX_HEADER_BYTES }, (req, res) => {
    void opened.then(() => dispatch(req, res));
  });
  const dispatch = (req: IncomingMessage, res: ServerResponse) => {
    const mount = mounts.find((m) => req.url === m.prefix || req.url?.startsWith(`${m.prefix}/`));
    if (mount) return mount.handle(req, res);
    handle(req, res, handlers).catch((error: Error) => {
      console.error('local HTTP adapter failed', error.message);
      send(
        res,
        500,
        { 'content-type': FHIR_JSON },
        JSON.stringify(statusAnswer(500, 'exception', 'The local hub failed').outcome),
      );
    });
  };
  // Node answers oversized headers and malformed requests itself, before any handler: answer as the hub would.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const answer = statusAnswer(
      status,
      tooLarge ? 'too-long' : 'structure',
      tooLarge ? `Request headers over ${API_GATEWAY_MAX_HEADER_BYTES} bytes` : 'Malformed HTTP request',
    );
    const body = JSON.stringify(answer.outcome);
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: ${FHIR_JSON}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** A request line the hub cannot read (a path that is not valid %-encoding): 400, as API Gateway refuses it. */
function parsePath(raw: string | undefined): { pathname: string; search: string } | undefined {
  try {
    const url = new URL(raw ?? '/', 'http://localhost');
    for (const segment of url.pathname.split('/')) decodeURIComponent(segment); // throws on bad %-encoding
    return { pathname: url.pathname, search: url.search };
  } catch {
    return undefined;
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, handlers: HubHandlers): Promise<void> {
  const url = parsePath(req.url);
  if (!url) {
    req.resume();
    const answer = statusAnswer(400, 'invalid', 'The request path is not a valid URL (check its %-encoding)');
    return send(res, 400, { 'content-type': FHIR_JSON }, JSON.stringify(answer.outcome));
  }
  const matched = matchRoute(req.method ?? 'GET', url.pathname);
  if (matched === undefined || matched === 'method-not-allowed') {
    const status = matched === undefined ? 404 : 405;
    const answer = statusAnswer(
      status,
      'not-supported',
      `${req.method} ${url.pathname} is not an operation of this hub`,
    );
    req.resume();
    return send(res, status, { 'content-type': FHIR_JSON }, JSON.stringify(answer.outcome));
  }
  const body = await readBody(req);
  if (body === 'too-large') {
    const answer = statusAnswer(413, 'too-long', `The body is over API Gateway's ${API_GATEWAY_MAX_BODY_BYTES} bytes`);
    return send(res, 413, { 'content-type': FHIR_JSON }, JSON.stringify(answer.outcome));
  }
  const handler = httpHandlerOf(handlers, matched.route.handler);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const event = httpApiEvent({
    method: req.method ?? 'GET',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    body,
    routeKey: matched.route.routeKey,
    pathParameters: matched.pathParameters,
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
  });
  const fn = FUNCTIONS[matched.route.handler];
  const result = await handler(event, lambdaContext(matched.route.handler, fn.timeoutSeconds));
  const responseHeaders: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]),
  );
  if (result.cookies?.length) responseHeaders['set-cookie'] = result.cookies;
  const responseBody =
    result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  send(res, result.statusCode ?? 200, responseHeaders, responseBody);
}

function readBody(req: IncomingMessage): Promise<string | undefined | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > API_GATEWAY_MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(tooLarge ? 'too-large' : size === 0 ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): void {
  res.writeHead(status, headers);
  res.end(body);
}
