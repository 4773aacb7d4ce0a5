/**
 * Vant's icon font (all ~250 glyphs, ~50 KB of woff2 inlined in its CSS) cut down to the icons the apps
 * can show: an icon is kept when its name appears as a quoted string in the apps' sources (templates'
 * `icon="scan"`, `<van-icon name="…">`, tables of icon names) or in Vant's own components. The unused
 * `.van-icon-*` rules go too. This runs on Vant's CSS module before bundling, so the CSS file's hashed
 * name follows its content. `subset-font` is HarfBuzz's hb-subset (WebAssembly).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import subsetFont from 'subset-font';
import type { Plugin } from 'vite';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const iconCss = /[\\/]vant[\\/]es[\\/]icon[\\/]index\.css$/;
const fontFace = /url\(["']?data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)["']?\)/;
const iconRule = /\.van-icon-([a-z0-9-]+):before\{content:"\\([0-9a-f]{4,5})"\}/g;

async function sourcesIn(dir: string, extensions: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && extensions.test(entry.name)).map((entry) => path.join(entry.parentPath, entry.name));
  return Promise.all(files.map((file) => readFile(file, 'utf8')));
}

export function vantIconSubset(): Plugin {
  let sources: Promise<string> | undefined;
  return {
    name: 'rto:vant-icon-subset',
    apply: 'build',
    enforce: 'pre',
    async transform(css, id) {
      if (!iconCss.test(id.split('?')[0] ?? id)) return null;
      const font = fontFace.exec(css);
      if (!font) return null;
      sources ??= Promise.all([
        sourcesIn(path.join(repoRoot, 'src/web'), /\.(?:vue|ts)$/),
        sourcesIn(path.join(repoRoot, 'node_modules/vant/es'), /\.mjs$/),
      ]).then((lists) => lists.flat().join('\n'));
      const code = await sources;
      const used = (name: string) => code.includes(`"${name}"`) || code.includes(`'${name}'`);
      const kept: number[] = [];
      const rules = css.replace(iconRule, (rule, name: string, hex: string) => {
        if (!used(name)) return '';
        kept.push(parseInt(hex, 16));
        return rule;
      });
      const subset = await subsetFont(Buffer.from(font[1]!, 'base64'), String.fromCodePoint(...kept), { targetFormat: 'woff2' });
      this.info(`Vant icons: ${kept.length} kept, font ${(font[1]!.length * 0.75 / 1024).toFixed(0)} → ${(subset.length / 1024).toFixed(0)} KB`);
      return { code: rules.replace(font[0], `url(data:font/woff2;charset=utf-8;base64,${subset.toString('base64')})`), map: null };
    },
  };
}
