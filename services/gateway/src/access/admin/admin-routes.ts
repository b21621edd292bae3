/**
 * The admin API under `/admin/v1`, on its own listener (never routed publicly): consumers, their API keys
 * and the usage plans. Every request carries `Authorization: Bearer <GATEWAY_ADMIN_TOKEN>`; the contract is
 * `services/gateway/admin-openapi.yaml`.
 */
import { NotFoundError, UnauthorizedError } from '@tradeflow/platform/errors';
import { parseWith } from '@tradeflow/platform/http';
import type { Express, Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { AccessAdmin } from '../access-admin';
import { constantTimeEquals, KEY_ID_PATTERN } from '../api-keys';
import {
  ConsumerId,
  CreateConsumer,
  CreatePlan,
  PlanName,
  RotateKey,
  UpdateConsumer,
  UpdatePlan,
} from '../model';

/** Where the admin API lives. */
export const ADMIN_BASE_PATH = '/admin/v1';

/** The realm of the admin challenge. */
const ADMIN_REALM = 'tradeflow-admin';

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(2048).optional(),
});

/** A 401 unless the request carries the admin token; compared in constant time. */
export function adminAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer[ ]+(\S+)$/i.exec(header.trim());
    if (match !== null && constantTimeEquals(match[1] as string, token)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', `Bearer realm="${ADMIN_REALM}"`);
    next(
      new UnauthorizedError(
        match === null
          ? 'The admin API needs Authorization: Bearer <admin token>.'
          : 'The admin token is not valid.',
        'ADMIN.UNAUTHORIZED',
      ),
    );
  };
}

type Params = Record<string, string>;

/** A path segment that cannot name anything stored is a 404 like any unknown id (never a store error). */
function consumerIdOf(req: Request<Params>): string {
  const id = req.params.consumerId ?? '';
  if (!ConsumerId.safeParse(id).success) throw new NotFoundError(`No consumer ${id}.`, 'CONSUMER.NOT_FOUND');
  return id;
}

function keyIdOf(req: Request<Params>): string {
  const keyId = req.params.keyId ?? '';
  if (!KEY_ID_PATTERN.test(keyId)) throw new NotFoundError(`No key ${keyId}.`, 'KEY.NOT_FOUND');
  return keyId;
}

function planNameOf(req: Request<Params>): string {
  const name = req.params.name ?? '';
  if (!PlanName.safeParse(name).success) throw new NotFoundError(`No plan ${name}.`, 'PLAN.NOT_FOUND');
  return name;
}

/** Mounts the admin API (the token check first) on `app`. */
export function adminRoutes(admin: AccessAdmin, token: string): (app: Express) => void {
  const base = ADMIN_BASE_PATH;
  return (app) => {
    app.use(base, adminAuth(token));

    // Consumers.
    app.post(`${base}/consumers`, async (req, res) => {
      const consumer = await admin.createConsumer(parseWith(CreateConsumer, req.body));
      res
        .status(201)
        .location(`${base}/consumers/${encodeURIComponent(consumer.id)}`)
        .json(consumer);
    });
    app.get(`${base}/consumers`, async (req, res) => {
      const { limit, cursor } = parseWith(ListQuery, req.query);
      res.json(await admin.listConsumers(limit, cursor));
    });
    app.get(`${base}/consumers/:consumerId`, async (req: Request<Params>, res) => {
      res.json(await admin.getConsumer(consumerIdOf(req)));
    });
    app.patch(`${base}/consumers/:consumerId`, async (req: Request<Params>, res) => {
      res.json(await admin.updateConsumer(consumerIdOf(req), parseWith(UpdateConsumer, req.body)));
    });
    app.delete(`${base}/consumers/:consumerId`, async (req: Request<Params>, res) => {
      await admin.deleteConsumer(consumerIdOf(req));
      res.status(204).end();
    });

    // Keys.
    app.post(`${base}/consumers/:consumerId/keys`, async (req: Request<Params>, res) => {
      const issued = await admin.issueKey(consumerIdOf(req));
      res
        .status(201)
        .location(`${base}/consumers/${encodeURIComponent(issued.consumerId)}/keys/${issued.keyId}`)
        .set('Cache-Control', 'no-store')
        .json(issued);
    });
    app.get(`${base}/consumers/:consumerId/keys`, async (req: Request<Params>, res) => {
      res.json({ items: await admin.listKeys(consumerIdOf(req)) });
    });
    app.post(`${base}/consumers/:consumerId/keys/:keyId/rotate`, async (req: Request<Params>, res) => {
      const { gracePeriodSeconds } = parseWith(RotateKey, req.body ?? {});
      const rotated = await admin.rotateKey(consumerIdOf(req), keyIdOf(req), gracePeriodSeconds);
      res
        .status(201)
        .location(`${base}/consumers/${encodeURIComponent(rotated.consumerId)}/keys/${rotated.keyId}`)
        .set('Cache-Control', 'no-store')
        .json(rotated);
    });
    app.post(`${base}/consumers/:consumerId/keys/:keyId/revoke`, async (req: Request<Params>, res) => {
      res.json(await admin.revokeKey(consumerIdOf(req), keyIdOf(req)));
    });

    // Plans.
    app.post(`${base}/plans`, async (req, res) => {
      const plan = await admin.createPlan(parseWith(CreatePlan, req.body));
      res.status(201).location(`${base}/plans/${plan.name}`).json(plan);
    });
    app.get(`${base}/plans`, async (_req, res) => {
      res.json({ items: await admin.listPlans() });
    });
    app.get(`${base}/plans/:name`, async (req: Request<Params>, res) => {
      res.json(await admin.getPlan(planNameOf(req)));
    });
    app.patch(`${base}/plans/:name`, async (req: Request<Params>, res) => {
      res.json(await admin.updatePlan(planNameOf(req), parseWith(UpdatePlan, req.body)));
    });
  };
}
