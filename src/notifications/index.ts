/** Outcome notifications: kinds, URL rules, and signed CloudEvent (or Slack) delivery over HTTP. */
export * from './kinds';
export { deliverNotification, notificationRequest, safeUrl, DELIVERY_TIMEOUT_MS } from './deliver';
export type { DeliveryOutcome, NotificationEvent } from './deliver';
