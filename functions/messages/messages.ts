import type { MessageList, ReceiversHealth } from '../../core/api/responses.js';
import { BadRequestError, issue, UnprocessableError } from '../../core/errors.js';
import { pageLinks } from '../../core/fhir/paging.js';
import { HEADERS } from '../../core/fhir/systems.js';
import type { Hub } from '../../core/hub.js';
import { acknowledgeAlert, listAlerts } from '../../core/services/alerts.js';
import { forwardMessage } from '../../core/services/forward.js';
import { receiversHealth } from '../../core/services/health.js';
import { listMessages, messageStatus, replayMessage } from '../../core/services/message-listings.js';
import {
  messageContent,
  patientOfMessage,
  replayMany,
  resendMessage,
  withdrawMessage,
} from '../../core/services/ops-actions.js';
import { readServiceRequest } from '../../core/services/service-requests.js';
import { outcomesCsv, outcomesReport, trafficOverview } from '../../core/services/traffic.js';
import { httpHandler, jsonObjectBody, type Operations } from '../lib/http.js';

function replayTarget(rawBody: string | undefined): string | undefined {
  if (!rawBody?.trim()) return undefined;
  try {
    const parsed = JSON.parse(rawBody) as { service?: unknown };
    if (parsed.service === undefined || typeof parsed.service === 'string') return parsed.service;
  } catch {
    // reported below
  }
  throw new BadRequestError('Bad replay request', [
    issue('invalid', 'The body, when sent, must be JSON {"service": "<service id>"}', 'service'),
  ]);
}

/** Listings, a message's status and timeline, a referral as FHIR: for its parties and ops. */
const messageReads = (hub: Hub): Operations => ({
  'GET /messages': async (request) => {
    const page = await listMessages(hub, request.caller, request.query);
    return {
      status: 200,
      contentType: 'application/json',
      body: {
        messages: page.items,
        ...(page.cursor ? { next: page.cursor } : {}),
        link: pageLinks(`${hub.self.baseUrl}/messages`, request.query, page.cursor),
      } satisfies MessageList,
    };
  },
  'POST /messages/$search': async (request) => {
    const { patient, cursor, _count } = jsonObjectBody(
      request.rawBody,
      '{"patient": "<NHS number>"} (optionally "cursor": the "next" of the last page)',
    );
    if (typeof patient !== 'string' || (cursor !== undefined && typeof cursor !== 'string'))
      throw new BadRequestError('Bad search', [
        issue('invalid', 'patient (an NHS number) and cursor, when given, are strings', 'patient'),
      ]);
    const page = await listMessages(hub, request.caller, {
      patient,
      ...(cursor ? { cursor } : {}),
      ...(_count !== undefined ? { _count: String(_count) } : {}),
    });
    // No link: a link would carry the search, and the NHS number with it, into a URL.
    return {
      status: 200,
      contentType: 'application/json',
      body: { messages: page.items, ...(page.cursor ? { next: page.cursor } : {}) } satisfies MessageList,
    };
  },
  'GET /ServiceRequest/{id}': async (request) => ({
    status: 200,
    body: await readServiceRequest(hub, request.caller, request.path.id!, request.headers[HEADERS.correlationId]),
  }),
  'GET /messages/{id}': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await messageStatus(hub, request.caller, request.path.id!),
  }),
});

/** Ops' corrections of messages that failed or went astray: replay (one or many), re-send, withdraw; and what a message held. */
const corrections = (hub: Hub): Operations => ({
  'POST /messages/{id}/$replay': async (request) => ({
    status: 202,
    contentType: 'application/json',
    body: await replayMessage(hub, request.caller, request.path.id!, replayTarget(request.rawBody)),
  }),
  'POST /messages/$replay': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: {
      results: await replayMany(
        hub,
        request.caller,
        jsonObjectBody(
          request.rawBody,
          '{"messages": ["<id>", ...]} or {"failedTo": "<service id>", "since": "<date>"}',
        ),
      ),
    },
  }),
  'POST /messages/{id}/$resend': async (request) => ({
    status: 202,
    contentType: 'application/json',
    body: await resendMessage(
      hub,
      request.caller,
      request.path.id!,
      jsonObjectBody(request.rawBody, '{"reason": "<why>"}'),
    ),
  }),
  'POST /messages/{id}/$withdraw': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await withdrawMessage(
      hub,
      request.caller,
      request.path.id!,
      jsonObjectBody(request.rawBody, '{"reason": "<why>"}'),
    ),
  }),
  'GET /messages/{id}/$patient': async (request) => ({
    status: 200,
    body: await patientOfMessage(hub, request.caller, request.path.id!),
  }),
  'GET /messages/{id}/$content': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await messageContent(hub, request.caller, request.path.id!),
  }),
});

/** Ops' views of the whole hub: receivers' health, traffic, outcomes, alerts. */
const opsViews = (hub: Hub): Operations => ({
  'GET /receivers/$health': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: { receivers: await receiversHealth(hub, request.caller) } satisfies ReceiversHealth,
  }),
  'GET /ops/overview': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await trafficOverview(hub, request.caller, request.query),
  }),
  'GET /ops/outcomes': async (request) => {
    const rows = await outcomesReport(hub, request.caller, request.query);
    if (![undefined, 'csv', 'json'].includes(request.query.format))
      throw new UnprocessableError('Bad format', [issue('value', 'format must be csv or json', 'format')]);
    if (request.query.format === 'csv')
      return {
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': 'attachment; filename="referral-outcomes.csv"' },
        text: outcomesCsv(rows),
      };
    return { status: 200, contentType: 'application/json', body: { outcomes: rows } };
  },
  'POST /ops/alerts/$acknowledge': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await acknowledgeAlert(
      hub,
      request.caller,
      jsonObjectBody(request.rawBody, '{"alert": "<its key>", "note": "<what you are doing about it>"}'),
    ),
  }),
  'GET /ops/alerts': async (request) => ({
    status: 200,
    contentType: 'application/json',
    body: await listAlerts(hub, request.caller, request.query),
  }),
});

/** A receiving team passes a referral on to another service. */
const passingOn = (hub: Hub): Operations => ({
  'POST /messages/{id}/$forward': async (request) => ({
    status: 202,
    contentType: 'application/json',
    body: await forwardMessage(
      hub,
      request.caller,
      request.path.id!,
      jsonObjectBody(request.rawBody, '{"service": "<service id>", "reason": "<why>"}'),
    ),
  }),
});

/** Message status, timelines and listings for senders, receivers and ops; replay for ops; passing on for receivers. */
export function createMessagesHandler(hub: Hub) {
  return httpHandler(
    'messages',
    { ...messageReads(hub), ...corrections(hub), ...opsViews(hub), ...passingOn(hub) },
    hub,
  );
}
