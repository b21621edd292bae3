import {
  ConditionalCheckFailedException,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { AppError, ConflictError, NotFoundError, UnavailableError } from '../../src/errors';
import {
  StoreConflictError,
  StoreRequestInvalidError,
  StoreTableMissingError,
  StoreTimeoutError,
  StoreUnavailableError,
  isRetriableStoreError,
  translateDynamoError,
  withStoreErrors,
} from '../../src/store';

const meta = { $metadata: {} };

function cancelled(...codes: string[]): TransactionCanceledException {
  return new TransactionCanceledException({
    ...meta,
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

/** An error DynamoDB sends that the SDK has no class for (ValidationException, ServiceUnavailable, ...). */
function unmodelled(name: string, fault: 'client' | 'server', message: string): DynamoDBServiceException {
  return new DynamoDBServiceException({ name, $fault: fault, message, $metadata: { httpStatusCode: 400 } });
}

describe('translateDynamoError', () => {
  it('when a condition check fails, then it is a 409 ConflictError with code STORE.CONDITION_FAILED and the cause kept', () => {
    const vendor = new ConditionalCheckFailedException({
      ...meta,
      message: 'The conditional request failed',
    });

    const err = translateDynamoError(vendor, { table: 'trades', operation: 'PutItem' });

    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'STORE.CONDITION_FAILED', status: 409, cause: vendor });
    expect((err as Error).message).toContain('"trades"');
  });

  it('when a transaction is cancelled by a failed condition, then it is a ConflictError naming the failed item index', () => {
    const err = translateDynamoError(cancelled('None', 'None', 'ConditionalCheckFailed'));

    expect(err).toBeInstanceOf(StoreConflictError);
    expect(err).toMatchObject({
      code: 'STORE.CONDITION_FAILED',
      status: 409,
      details: { failedIndexes: [2] },
    });
    expect((err as AppError).toJSON()).toMatchObject({ failedIndexes: [2] });
  });

  it('when a transaction is cancelled by a concurrent transaction, then it is a retriable UnavailableError', () => {
    const err = translateDynamoError(cancelled('None', 'TransactionConflict'));

    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).toMatchObject({ status: 503, retriable: true });
  });

  it('when a transaction is cancelled by a validation error, then it is a 500 programming error', () => {
    const err = translateDynamoError(cancelled('ValidationError', 'None'));

    expect(err).toBeInstanceOf(StoreRequestInvalidError);
    expect(err).toMatchObject({ status: 500, code: 'STORE.INVALID_REQUEST' });
  });

  it.each([
    ['ThrottlingException', new ThrottlingException({ ...meta, message: 'slow down' })],
    [
      'ProvisionedThroughputExceededException',
      new ProvisionedThroughputExceededException({ ...meta, message: 'too much' }),
    ],
    ['RequestLimitExceeded', new RequestLimitExceeded({ ...meta, message: 'account limit' })],
    ['InternalServerError', new InternalServerError({ ...meta, message: 'oops' })],
    ['ServiceUnavailable', unmodelled('ServiceUnavailable', 'server', 'unavailable')],
  ])('when DynamoDB answers %s, then it is a retriable 503 UnavailableError', (_name, vendor) => {
    const err = translateDynamoError(vendor, { table: 'trades' });

    expect(err).toBeInstanceOf(StoreUnavailableError);
    expect(err).toMatchObject({ status: 503, code: 'STORE.UNAVAILABLE', retriable: true, cause: vendor });
    expect(isRetriableStoreError(err)).toBe(true);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND'])(
    'when the connection fails with %s, then it is a retriable UnavailableError saying DynamoDB was unreachable',
    (code) => {
      const err = translateDynamoError(Object.assign(new Error(`connect ${code} 127.0.0.1:18000`), { code }));

      expect(err).toBeInstanceOf(UnavailableError);
      expect(err).toMatchObject({ code: 'STORE.UNREACHABLE', retriable: true });
    },
  );

  it('when the request times out, then it is a retriable TimeoutError', () => {
    const vendor = Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });

    const err = translateDynamoError(vendor);

    expect(err).toBeInstanceOf(StoreTimeoutError);
    expect(err).toMatchObject({ status: 504, retriable: true });
  });

  it('when the table does not exist, then the error names the missing table and is a 500', () => {
    const vendor = new ResourceNotFoundException({ ...meta, message: 'Requested resource not found' });

    const err = translateDynamoError(vendor, { table: 'dev-trades', operation: 'GetItem' });

    expect(err).toBeInstanceOf(StoreTableMissingError);
    expect(err).not.toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 500, code: 'STORE.TABLE_MISSING', table: 'dev-trades' });
    expect((err as Error).message).toContain('"dev-trades" does not exist');
  });

  it("when DynamoDB rejects the request as invalid, then it is a 500 (not a 4xx) carrying DynamoDB's reason", () => {
    const vendor = unmodelled('ValidationException', 'client', 'One or more parameter values were invalid');

    const err = translateDynamoError(vendor, { table: 'trades', operation: 'UpdateItem' });

    expect(err).toBeInstanceOf(StoreRequestInvalidError);
    expect(err).toMatchObject({ status: 500, code: 'STORE.INVALID_REQUEST' });
    expect((err as Error).message).toBe(
      'DynamoDB UpdateItem on "trades" was rejected as invalid: One or more parameter values were invalid',
    );
  });

  it('when an unknown client-side DynamoDB error arrives, then it becomes a 500 AppError, never the vendor class', () => {
    const err = translateDynamoError(
      unmodelled('ItemCollectionSizeLimitExceededException', 'client', 'too big'),
    );

    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ status: 500, code: 'STORE.FAILED' });
  });

  it('when the error is already an AppError or not from the store, then it is returned unchanged', () => {
    const ours = new ConflictError();
    const bug = new TypeError('x is undefined');

    expect(translateDynamoError(ours)).toBe(ours);
    expect(translateDynamoError(bug)).toBe(bug);
  });
});

describe('withStoreErrors', () => {
  it('when the call succeeds, then its value is returned', async () => {
    await expect(withStoreErrors(() => Promise.resolve(42))).resolves.toBe(42);
  });

  it('when the call fails with a vendor error, then the translated error is thrown with the context', async () => {
    const vendor = new ConditionalCheckFailedException({
      ...meta,
      message: 'The conditional request failed',
    });

    await expect(
      withStoreErrors(() => Promise.reject(vendor), { table: 'orders', operation: 'PutItem' }),
    ).rejects.toMatchObject({
      name: 'StoreConflictError',
      code: 'STORE.CONDITION_FAILED',
      message: 'DynamoDB PutItem on "orders": the condition did not hold.',
    });
  });
});
