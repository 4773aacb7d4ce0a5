/**
 * The apps ship vue-i18n's runtime-only build (no message compiler in the browser): this plugin turns
 * every message string of the message modules into the message AST that vue-i18n's runtime formats
 * directly — the same JIT AST `@intlify/unplugin-vue-i18n` emits for JSON/YAML resources. Our messages
 * are TypeScript objects (composed with imports and spreads), which that plugin does not precompile.
 *
 * Message modules: `messages.ts`, `*Messages.ts` and files under a `messages/` folder in src/web. They
 * hold only data: every string that is the value of an object property is a message.
 */
import { baseCompile } from '@intlify/message-compiler';
import MagicString from 'magic-string';
import type { Plugin } from 'vite';

export const messageModule = /\/src\/web\/(?:.+\/)?(?:messages\/[^/]+|messages|[A-Za-z]+Messages)\.ts$/;

interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** The message AST of one source string (vue-i18n's minified form: `t`, `b`, `s`…), as JSON (throws on a message vue-i18n cannot parse). */
export function compileMessage(source: string, where: string): string {
  const errors: string[] = [];
  const { ast } = baseCompile(source, { jit: true, minify: true, location: false, onError: (error) => errors.push(error.message) });
  if (errors.length > 0) throw new Error(`${where}: message ${JSON.stringify(source)} does not compile: ${errors.join('; ')}`);
  return JSON.stringify(ast);
}

/** Replaces the string values of object properties in `code` (plain JS) by their message AST. */
export function precompileMessages(code: string, parse: (code: string) => unknown, id: string): { code: string; map: ReturnType<MagicString['generateMap']> } | null {
  const program = parse(code);
  const output = new MagicString(code);
  let changed = false;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isNode(node)) return;
    if (node.type === 'Property' && !node.computed && isNode(node.value)) {
      const value = node.value;
      if (value.type === 'Literal' && typeof value.value === 'string') {
        output.overwrite(value.start, value.end, compileMessage(value.value, id));
        changed = true;
        return;
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key !== 'type' && key !== 'start' && key !== 'end' && typeof child === 'object') visit(child);
    }
  };
  visit(program);
  return changed ? { code: output.toString(), map: output.generateMap({ hires: true, source: id }) } : null;
}

export function precompiledMessages(): Plugin {
  return {
    name: 'rto:precompiled-messages',
    // After TypeScript is stripped: the parser then sees plain JavaScript.
    enforce: 'post',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!messageModule.test(file)) return null;
      return precompileMessages(code, (source) => this.parse(source), file);
    },
  };
}
