// Jest reads `testTimeout` only from the global config, not from a project, so the integration
// project sets its longer default here: these suites start processes and wait on Kafka and DynamoDB.
jest.setTimeout(60_000);
