/** What the gateway adds to every public document: its security schemes and the answers it gives itself. */

/** A JSON object, as OpenAPI documents are handled here (read from upstreams, so never trusted to a type). */
export type JsonObject = { [key: string]: unknown };

/** Either credential works: an API key or a JWT bearer token (OpenAPI: alternatives are separate entries). */
export const GATEWAY_SECURITY: readonly JsonObject[] = [{ ApiKey: [] }, { bearer: [] }];

const problem = (description: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers === undefined ? {} : { headers }),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/GatewayProblem' } } },
});

/** The components the gateway's own answers and schemes need; merged first, so services' names yield. */
export const GATEWAY_COMPONENTS: Readonly<Record<string, JsonObject>> = {
  securitySchemes: {
    ApiKey: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description: 'A consumer key issued by the admin API (shown once when issued or rotated).',
    },
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A JWT from the configured issuer and audience; its `sub` is the consumer id.',
    },
  },
  schemas: {
    GatewayProblem: {
      type: 'object',
      description: 'An RFC 9457 problem answered by the gateway itself.',
      required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId'],
      properties: {
        type: { type: 'string', description: 'Identifies the kind of problem; one per `code`.' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        instance: { type: 'string', description: 'The request path.' },
        code: { type: 'string', description: 'Stable namespaced code, e.g. `AUTH.UNAUTHORIZED`.' },
        requestId: { type: 'string', description: 'Quote this when reporting the problem.' },
      },
    },
  },
  headers: {
    GatewayRetryAfter: {
      description: 'Seconds to wait before trying again.',
      schema: { type: 'integer', minimum: 0 },
    },
    GatewayRateLimitPolicy: {
      description:
        "The caller's usage plan (draft-ietf-httpapi-ratelimit-headers structured field): quota and window.",
      schema: { type: 'string' },
      example: '"rate";q=100;w=1',
    },
    GatewayRateLimit: {
      description: 'What is left of the plan (draft-ietf-httpapi-ratelimit-headers): remaining and reset.',
      schema: { type: 'string' },
      example: '"rate";r=0;t=1',
    },
  },
  responses: {
    GatewayUnauthorized: problem('No credentials, or an unknown, revoked or expired key or token (gateway).'),
    GatewayForbidden: problem("The consumer's scopes do not include the one this route needs (gateway)."),
    GatewayTooLarge: problem("The body is larger than the route's limit (gateway)."),
    GatewayTooManyRequests: problem(
      "Over the consumer's usage plan: its rate or its daily quota (gateway).",
      {
        'Retry-After': { $ref: '#/components/headers/GatewayRetryAfter' },
        'RateLimit-Policy': { $ref: '#/components/headers/GatewayRateLimitPolicy' },
        RateLimit: { $ref: '#/components/headers/GatewayRateLimit' },
      },
    ),
    GatewayUnavailable: problem('The service is unavailable: its circuit is open or it refused (gateway).', {
      'Retry-After': { $ref: '#/components/headers/GatewayRetryAfter' },
    }),
    GatewayTimeout: problem('The service did not answer within the route timeout (gateway).'),
  },
};

/** The gateway's answers for an operation, by status; a service's own answer for a status wins over these. */
export function gatewayResponsesFor(hasBody: boolean): JsonObject {
  return {
    '401': { $ref: '#/components/responses/GatewayUnauthorized' },
    '403': { $ref: '#/components/responses/GatewayForbidden' },
    ...(hasBody ? { '413': { $ref: '#/components/responses/GatewayTooLarge' } } : {}),
    '429': { $ref: '#/components/responses/GatewayTooManyRequests' },
    '503': { $ref: '#/components/responses/GatewayUnavailable' },
    '504': { $ref: '#/components/responses/GatewayTimeout' },
  };
}
