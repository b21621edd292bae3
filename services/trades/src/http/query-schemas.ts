/** Schemas of the query strings and small bodies of the trades API. */
import { AccountId, TradeStatus } from '@tradeflow/contracts';
import { z } from 'zod';

/** Largest page any listing returns. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

const once = (schema: z.ZodType<string, string>) =>
  z.union([z.string(), z.array(z.string())]).pipe(z.string('must be given once').pipe(schema));

const Limit = once(z.string().regex(/^\d{1,6}$/, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`))
  .transform(Number)
  .pipe(
    z
      .number()
      .int()
      .min(1, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
      .max(MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`),
  );

const Instant = once(
  z.iso.datetime({
    offset: true,
    error: 'must be an ISO-8601 date-time with a UTC offset, such as 2025-06-02T14:30:00Z',
  }),
);

/** `status` may be given several times or as a comma-separated list. */
const Statuses = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()),
  )
  .pipe(
    z
      .array(z.enum(TradeStatus.options, { error: `must be one of ${TradeStatus.options.join(', ')}` }))
      .min(1),
  );

/** Query of `GET /v1/accounts/{accountId}/trades`. */
export const AccountTradesQuery = z
  .strictObject({
    status: Statuses.optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    limit: Limit.optional(),
    cursor: once(z.string()).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    path: ['to'],
    message: 'must be later than from',
  });

/** Path parameter of the account listing. */
export const AccountPath = z.strictObject({ accountId: AccountId });

/** Query of `GET /v1/trades/bulk/{jobId}/errors`. */
export const BulkErrorsQuery = z.strictObject({
  limit: Limit.optional(),
  cursor: once(z.string()).optional(),
});

/** Body of `POST /v1/trades/batch`: the items are checked one by one afterwards. */
export function batchRequestSchema(maxItems: number) {
  const size = `must hold from 1 to ${maxItems} trades`;
  return z.strictObject(
    {
      trades: z.array(z.unknown(), { error: 'must be an array of trades' }).min(1, size).max(maxItems, size),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  );
}
