import type { ReferenceKind } from '@tradeflow/contracts';
import type { Express, Request } from 'express';
import { requireIdentity } from '@tradeflow/platform/identity';
import { entityId } from '../domain/changes';
import type { ReferenceService } from '../reference-service';

/** The URL segment of every kind under `/v1/reference`. */
export const KIND_PATHS: { readonly [K in ReferenceKind]: string } = {
  market: 'markets',
  instrument: 'instruments',
  price: 'prices',
  account: 'accounts',
  restricted: 'restricted',
  fx: 'fx',
};

/** Kinds whose entities may be deleted over HTTP; the others are changed, never removed. */
const DELETABLE: ReadonlySet<ReferenceKind> = new Set(['restricted']);

export const REFERENCE_BASE_PATH = '/v1/reference';

/**
 * Mounts create, get, patch and list of every kind, and delete where allowed. Every route reads the caller
 * the gateway forwards (401 without one); the service decides what of it the caller sees.
 */
export function referenceRoutes(service: ReferenceService): (app: Express) => void {
  return (app) => {
    for (const kind of Object.keys(KIND_PATHS) as ReferenceKind[]) {
      const base = `${REFERENCE_BASE_PATH}/${KIND_PATHS[kind]}`;
      app.post(base, async (req, res) => {
        const entity = await service.create(kind, req.body, requireIdentity(req.headers));
        const location = `${base}/${encodeURIComponent(entityId(kind, entity))}`;
        res.status(201).location(location).json(entity);
      });
      app.get(base, async (req, res) => {
        res.json(await service.list(kind, req.query, requireIdentity(req.headers)));
      });
      app.get(`${base}/:id`, async (req: Request<{ id: string }>, res) => {
        res.json(await service.get(kind, req.params.id, requireIdentity(req.headers)));
      });
      app.patch(`${base}/:id`, async (req: Request<{ id: string }>, res) => {
        res.json(await service.update(kind, req.params.id, req.body, requireIdentity(req.headers)));
      });
      if (DELETABLE.has(kind)) {
        app.delete(`${base}/:id`, async (req: Request<{ id: string }>, res) => {
          requireIdentity(req.headers);
          await service.delete(kind, req.params.id);
          res.status(204).end();
        });
      }
    }
  };
}
