import { asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { contactsQuerySchema, contactsResponseSchema, healthResponseSchema, provincesResponseSchema } from '../../contract/catalog.ts';
import type { AppContext } from '../context.ts';
import { contacts, provinces } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/** Public reference data: health, provinces, the provinces' business-manager contacts. */
export async function referenceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/health', { schema: { tags: ['reference'], response: { 200: healthResponseSchema } } }, async () => ({
    status: 'ok' as const,
    version: process.env.npm_package_version ?? '0.1.0',
  }));

  api.get('/provinces', { schema: { tags: ['reference'], response: { 200: provincesResponseSchema } } }, async () => {
    const rows = await ctx.db.select().from(provinces).orderBy(asc(provinces.code));
    return { provinces: rows.map((row) => ({ code: row.code, name: { zh: row.nameZh, en: row.nameEn } })) };
  });

  api.get(
    '/contacts',
    { schema: { tags: ['reference'], querystring: contactsQuerySchema, response: { 200: contactsResponseSchema } } },
    async (request) => {
      const [province] = await ctx.db.select().from(provinces).where(eq(provinces.code, request.query.province));
      if (!province) {
        throw new AppError(404, 'PROVINCE_NOT_FOUND', { zh: '没有这个省份', en: 'No such province' });
      }
      const rows = await ctx.db
        .select()
        .from(contacts)
        .where(eq(contacts.provinceCode, province.code))
        .orderBy(asc(contacts.sortOrder), asc(contacts.name));
      return {
        province: { code: province.code, name: { zh: province.nameZh, en: province.nameEn } },
        contacts: rows.map(({ name, title, phone, hours, nameEn, titleEn, hoursEn }) => ({ name, title, phone, hours, nameEn, titleEn, hoursEn })),
      };
    },
  );
}
