export { readAudit, writeAudit, type AuditEntry, type AuditQuery } from './audit.ts';
export { countRecordEvents, publishEvent, readRecordEventsOf, type OutboxCursor, type OutboxEvent } from './outbox.ts';
export { announceOutboxCommits, onOutboxCommit } from './announce.ts';
export {
  createSubscriber,
  endBackoff,
  moveSubscription,
  subscribe,
  subscriptionCursorSql,
  subscriptionState,
  unsubscribe,
  type Subscriber,
  type SubscriberOptions,
  type SubscriptionState,
  type SubscriptionTurn,
} from './subscriber.ts';
