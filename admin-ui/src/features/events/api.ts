import { api, query } from '../../lib/api';
import { eventTypeNameValues, type Schemas } from '../../lib/api-types';

/** Every event type a rule can match: the server's EventRules.EVENT_TYPES, through /v3/api-docs. */
export const EVENT_TYPES = eventTypeNameValues;
export type EventType = Schemas['EventTypeName'];

/**
 * One of a rule's actions: a JSON object whose members depend on its type (each action kind checks its
 * own). A webhook shows `secretSet` instead of its secret, except in the answer to the change that
 * generated one; kinds this UI does not edit are sent back as they came.
 */
export type RuleAction = Schemas['EventAction'];

/** A rule as GET /api/v1/event-rules answers it. */
export type EventRule = Schemas['EventRuleView'];

/** The body of POST and PUT: a webhook action without secret gets a generated one (POST) or keeps its own (PUT). */
export type EventRuleBody = Schemas['EventRuleSpec'];

export type Delivery = Schemas['DeliveryView'];
export type DeliveryPage = Schemas['DeliveryPage'];
export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const rulePath = (id: number | string) => `/api/v1/event-rules/${encodeURIComponent(String(id))}`;

export const eventsApi = {
  rules: (signal?: AbortSignal) => api.get<EventRule[]>('/api/v1/event-rules', signal),
  rule: (id: string, signal?: AbortSignal) => api.get<EventRule>(rulePath(id), signal),
  create: (body: EventRuleBody) => api.post<EventRule>('/api/v1/event-rules', body),
  replace: (id: number, body: EventRuleBody) => api.put<EventRule>(rulePath(id), body),
  remove: (id: number) => api.delete(rulePath(id)),
  deliveries: (rule: string, status: string, page: number, size: number, signal?: AbortSignal) =>
    api.get<DeliveryPage>(`/api/v1/event-deliveries${query({ rule, status, page, size })}`, signal),
  retry: (id: number) => api.post<Delivery>(`/api/v1/event-deliveries/${id}/retry`, undefined),
  /** Retries every dead delivery (of one rule, or all); answers how many. */
  retryAllDead: (rule: string) => api.post<{ retried: number }>(`/api/v1/event-deliveries/retry${query({ rule, status: 'dead' })}`, undefined),
};
