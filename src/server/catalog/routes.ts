import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { BUSINESSES, materialsFor } from '../../domain/catalog.ts';
import type { Localized } from '../../domain/errors.ts';
import { businessesQuerySchema, businessesResponseSchema } from '../../contract/catalog.ts';
import { driverSessionPolicy, requestToken, resolveSession } from '../auth/session.ts';
import type { AppContext } from '../context.ts';
import { users } from '../db/schema.ts';
import { eq } from 'drizzle-orm';
import { provinceMaterialOverrides } from './materialOverrides.ts';

/** The first sentence of a paragraph, as the one-line summary on the service tiles. */
function firstSentence(paragraph: string | undefined, stop: RegExp): string {
  if (!paragraph) return '';
  const match = stop.exec(paragraph);
  return match ? paragraph.slice(0, match.index + match[0].length).trim() : paragraph;
}

/** The logged-in driver's province, if any: the catalog is public, but shows a driver their province's materials. */
async function callerProvince(ctx: AppContext, request: FastifyRequest): Promise<string | null> {
  const token = requestToken(request, driverSessionPolicy);
  if (!token) return null;
  try {
    const session = await resolveSession(ctx.db, driverSessionPolicy, token, ctx.now());
    const [user] = await ctx.db.select({ provinceCode: users.provinceCode }).from(users).where(eq(users.id, session.subjectId));
    return user?.provinceCode ?? null;
  } catch {
    return null;
  }
}

export async function catalogRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    '/catalog/businesses',
    { schema: { tags: ['catalog'], querystring: businessesQuerySchema, response: { 200: businessesResponseSchema } } },
    async (request) => {
      const provinceCode = request.query.province ?? (await callerProvince(ctx, request));
      const overrides = provinceCode ? await provinceMaterialOverrides(ctx.db, provinceCode) : [];
      const businesses = BUSINESSES.flatMap((business) =>
        business.variants.map((variant) => {
          const isDefault = variant.key === 'default';
          const name: Localized = isDefault ? business.name : variant.name;
          const instructions = {
            zh: [...business.instructions.zh, ...(variant.instructions?.zh ?? [])],
            en: [...business.instructions.en, ...(variant.instructions?.en ?? [])],
          };
          return {
            key: business.key,
            variant: isDefault ? null : variant.key,
            name,
            summary: { zh: firstSentence(instructions.zh[0], /。/), en: firstSentence(instructions.en[0], /\.(\s|$)/) },
            instructions,
            issuesCard: business.issuesCard,
            producesRating: business.producesRating,
            materials: materialsFor(business.key, variant.key, undefined, overrides),
          };
        }),
      );
      return { provinceCode, businesses };
    },
  );
}
