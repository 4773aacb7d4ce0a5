/** What exchange partners sent in (verification requests, registry corrections), for the province's admins. */
import { desc, eq } from 'drizzle-orm';
import { verificationFieldLabels } from '../certificates/routes.ts';
import type { Executor } from '../db/client.ts';
import { certificates, exchangeInbound, exchangePartners } from '../db/schema.ts';

/** The latest requests and corrections partners sent about a province's certificates. */
export async function recentInbound(db: Executor, provinceCode: string, limit = 20) {
  const rows = await db
    .select({ item: exchangeInbound, partnerName: exchangePartners.name, certificateNumber: certificates.number })
    .from(exchangeInbound)
    .innerJoin(exchangePartners, eq(exchangePartners.id, exchangeInbound.partnerId))
    .leftJoin(certificates, eq(certificates.id, exchangeInbound.certificateId))
    .where(eq(exchangeInbound.provinceCode, provinceCode))
    .orderBy(desc(exchangeInbound.receivedAt))
    .limit(limit);
  return rows.map(({ item, partnerName, certificateNumber }) => {
    const body = item.body as Record<string, unknown>;
    const field = String(body.field ?? '');
    return {
      id: item.id,
      kind: item.kind,
      partnerName,
      externalId: item.externalId,
      certificateNumber: certificateNumber ?? String(body.certificateNumber ?? ''),
      field,
      fieldLabel: (verificationFieldLabels as Record<string, { zh: string; en: string }>)[field] ?? { zh: field, en: field },
      value: String(body.value ?? body.expectedValue ?? ''),
      note: String(body.note ?? ''),
      state: item.state,
      receivedAt: item.receivedAt.toISOString(),
    };
  });
}
