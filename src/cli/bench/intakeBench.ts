/**
 * Image intake benchmark: a 24 MP (6000×4000) JPEG of about 10 MB, as a phone's full-resolution photo,
 * through the whole intake (type check, header, one decode, stored copy, thumbnail, blur score) —
 * target < 400 ms on an idle machine — then 8 such uploads at once through the bounded image queue,
 * with the process's peak memory.
 *
 *   rto bench --only intake [--count N]
 */
import sharp from 'sharp';
import { intakeImage } from '../../server/images/intake.ts';
import { WorkQueue } from '../../server/http/workQueue.ts';

async function phonePhoto(): Promise<Buffer> {
  const width = 6000;
  const height = 4000;
  // Fine texture compresses like a detailed photo (a flat picture would be unrealistically cheap).
  const texture = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let i = 0; i < texture.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    texture[i] = 60 + (seed % 140);
  }
  return sharp(texture, { raw: { width, height, channels: 3 } }).blur(1.1).jpeg({ quality: 92 }).toBuffer();
}

export async function runIntakeBench(options: { count?: number } = {}): Promise<void> {
  const count = Math.max(3, options.count ?? 10);
  const photo = await phonePhoto();
  console.log(`input: 6000×4000 JPEG, ${(photo.length / 1024 / 1024).toFixed(1)} MB`);
  await intakeImage(photo); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await intakeImage(photo);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((sum, t) => sum + t, 0) / times.length;
  console.log(`intake, one at a time (${count} runs): mean ${mean.toFixed(0)} ms, median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms (target < 400 ms)`);

  const queue = new WorkQueue({ name: 'images', concurrency: 2, maxWaiting: 8 });
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => queue.run(() => intakeImage(photo))));
  clearInterval(sampler);
  const accepted = results.filter((r) => r.status === 'fulfilled').length;
  console.log(
    `8 at once through the queue (2 at a time): ${accepted} done in ${(performance.now() - started).toFixed(0)} ms, ` +
      `RSS ${(before / 1024 / 1024).toFixed(0)} → peak ${(peak / 1024 / 1024).toFixed(0)} MB`,
  );
}
