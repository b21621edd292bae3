// Types for probe.js, which tests/setup imports (the probe stays plain JS so the shell scripts run it with node).

/** The kinds of service the probe knows. */
export type ProbeKind = 'kafka' | 'dynamodb';

/** One attempt: resolves true when the service at `address` answers a real request within `timeoutMs`. */
export function answers(kind: ProbeKind, address: string, timeoutMs?: number): Promise<boolean>;

/** Resolves true when the broker(s) (comma list of host:port) answer a metadata request. */
export function kafkaAnswers(brokers: string, timeoutMs?: number): Promise<boolean>;

/** Resolves true once the broker serves a consumer group and an idempotent producer. */
export function kafkaWarmUp(brokers: string, timeoutMs?: number): Promise<boolean>;

/** Resolves true when DynamoDB (Local) at `endpoint` answers ListTables. */
export function dynamodbAnswers(endpoint: string, timeoutMs?: number): Promise<boolean>;
