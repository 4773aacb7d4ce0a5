/**
 * Records what the OCR engine reads on a few generated photos (upright lines with their boxes), so the
 * field placement can be tested on real engine output without running the engine.
 *
 *   npx tsx scripts/record-id-card-lines.ts [--out test/fixtures/id-cards/recorded-lines.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createIdCardReader, readIdCardLines } from '../src/server/identity/ocr.ts';
import { generateIdPhotos, type PhotoCondition } from './generate-id-photos.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'test/fixtures/id-cards/recorded-lines.json' } } });
const conditions: PhotoCondition[] = ['form-beside', 'quarter-cw', 'half-turn', 'tilt', 'dim-noise', 'back', 'back-turned'];
const photos = await generateIdPhotos({ perCondition: 1, seed: 17, conditions });
const recorded = [];
for (const photo of photos) {
  const { lines, turn } = await readIdCardLines(photo.image);
  recorded.push({
    condition: photo.condition,
    turn,
    truth: photo.side === 'portrait' ? photo.truth : photo.back,
    decoys: photo.decoys,
    lines: lines.map((l) => ({ text: l.text, mean: Math.round((l.mean ?? 0) * 1000) / 1000, box: l.box!.map((p) => p.map((v) => Math.round(v * 10) / 10)) })),
  });
}
await writeFile(values.out, `${JSON.stringify(recorded, null, 1)}\n`);
await createIdCardReader().close?.();
console.log(`${recorded.length} recorded readings written to ${values.out}`);
