import type { Express } from 'express';
import { requireIdentity } from '@tradeflow/platform/identity';
import { RULES, type ValidationSettings } from '../domain';

/** The body of `GET /v1/validation/rules`: every rule in evaluation order and the settings they use. */
export interface RulesResponse {
  rules: { id: string; description: string }[];
  settings: ValidationSettings;
}

/**
 * The validation service's own routes (the ops endpoints come with the platform server). The rules are no
 * account's data, but only callers that came through the gateway read them (401 otherwise).
 */
export function validationRoutes(settings: ValidationSettings): (app: Express) => void {
  const body: RulesResponse = {
    rules: RULES.map(({ id, description }) => ({ id, description })),
    settings: { ...settings },
  };
  return (app) => {
    app.get('/v1/validation/rules', (req, res) => {
      requireIdentity(req.headers);
      res.json(body);
    });
  };
}
