/*
 * How the drivers' app's code is cut into files. Left to itself, Rolldown gives every set of pages that
 * share a module a chunk of its own: the 换证 flow came as ~60 files of 1–3 KB (a Vant component and its
 * CSS each), and on a phone's network each request costs a round trip and a kilobyte of headers, over
 * six connections. Here the drivers' modules that are not a single page's own go into four files by who
 * needs them:
 *
 *   'app-common'    what the drivers' first load needs and the staff console uses too (Vue, the router,
 *                   vue-i18n, the API client, the language switch): both apps' first load;
 *   'driver-core'   the rest of the drivers' first load with what the home page needs besides its own
 *                   code (the shell's Vant components, the request helpers, the empty state);
 *   'driver-pages'  the drivers' modules used by two pages or more (Vant's form and popup components,
 *                   the business flow's pieces): fetched with the first page that is not home;
 *   'domain'        the shared domain code (dates, categories, eligibility…) that drivers' pages use and
 *                   the staff console does too.
 *
 * A page's own code stays in the page's chunk; what is loaded on demand inside a page (the QR decoder,
 * the zod schemas, the offline verifier's keys) stays in chunks of its own. Each group holds only modules
 * whose own imports are in the same group or an earlier one (in the order above, 'domain' before
 * 'driver-pages'), so no two chunks import each other; noChunkCycles() fails the build if they ever do.
 */
import type { Plugin, Rolldown } from 'vite';

type CodeSplittingGroup = Rolldown.CodeSplittingGroup;

type ModuleGraph = {
  getModuleInfo(id: string): { code: string | null; importedIds: readonly string[]; dynamicallyImportedIds: readonly string[] } | null;
};

export interface DriverChunkOptions {
  /** The drivers' entry module (…/src/web/driver/main.ts). */
  driverEntry: string;
  /** The staff console's entry module. */
  staffEntry: string;
  /** The home page's component: its dependencies join the first load. */
  homePage: string;
  /** Whether a dynamically imported module is a route's page (not code a page loads on demand). */
  isPage: (id: string) => boolean;
}

interface Classes {
  driverInitial: Set<string>;
  homeDeps: Set<string>;
  staffAll: Set<string>;
  /** For each module loaded on demand by the drivers' app: the dynamically imported modules that import it statically. */
  driverRoots: Map<string, Set<string>>;
  /** Modules a route's page imports statically. */
  onDriverPages: Set<string>;
  /** Whether a module pulls in, statically, a library the drivers' first load does not have (zod…). */
  needsMoreLibraries: (id: string) => boolean;
}

const vantBarrel = /[\\/]node_modules[\\/]vant[\\/]es[\\/]index\.mjs$/;
const namedImports = /import\s*\{([^}]*)\}\s*from\s*["']vant["']/g;
const exportList = /export\s*\{([^}]*)\}/g;

/** Names in an `import { … }` or `export { … }` list, as the importing or exporting side calls them. */
function listedNames(list: string, side: 'imported' | 'exported'): string[] {
  return list
    .split(',')
    .map((item) => item.trim().split(/\s+as\s+/))
    .map((parts) => (side === 'imported' ? parts[0] : parts.at(-1))!.trim())
    .filter(Boolean);
}

/**
 * The modules a module imports statically, Vant's barrel (`import { Button } from 'vant'`) read as the
 * components named: through the barrel every page would seem to use all of Vant, which the bundler's
 * tree-shaking leaves out.
 */
function staticImports(graph: ModuleGraph): (id: string) => readonly string[] {
  let exporters: Map<string, string> | undefined;
  const exporterOf = (barrel: string, name: string): string | undefined => {
    if (!exporters) {
      exporters = new Map();
      for (const part of graph.getModuleInfo(barrel)?.importedIds ?? []) {
        for (const list of (graph.getModuleInfo(part)?.code ?? '').matchAll(exportList)) {
          for (const exported of listedNames(list[1]!, 'exported')) if (!exporters.has(exported)) exporters.set(exported, part);
        }
      }
    }
    return exporters.get(name);
  };
  return (id) => {
    const info = graph.getModuleInfo(id);
    if (!info) return [];
    const barrel = info.importedIds.find((imported) => vantBarrel.test(imported));
    if (!barrel) return info.importedIds;
    const parts: string[] = [];
    for (const list of (info.code ?? '').matchAll(namedImports)) {
      for (const name of listedNames(list[1]!, 'imported')) {
        const part = exporterOf(barrel, name);
        // A name the barrel's parts do not export: the whole barrel, to be safe.
        parts.push(part ?? barrel);
      }
    }
    // No named import found (`import * as vant`, an import written otherwise): the whole barrel.
    if (parts.length === 0) parts.push(barrel);
    return [...info.importedIds.filter((imported) => imported !== barrel), ...parts];
  };
}

function staticClosure(importsOf: (id: string) => readonly string[], from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...importsOf(id));
  }
  return seen;
}

/** Every module reachable from `from` (static and dynamic imports), and the dynamically imported ones. */
function reachable(graph: ModuleGraph, importsOf: (id: string) => readonly string[], from: string): { all: Set<string>; dynamicRoots: Set<string> } {
  const all = new Set<string>();
  const dynamicRoots = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (all.has(id)) continue;
    all.add(id);
    const info = graph.getModuleInfo(id);
    if (!info) continue;
    stack.push(...importsOf(id));
    for (const dynamic of info.dynamicallyImportedIds) {
      dynamicRoots.add(dynamic);
      stack.push(dynamic);
    }
  }
  return { all, dynamicRoots };
}

function classify(graph: ModuleGraph, options: DriverChunkOptions): Classes {
  const importsOf = staticImports(graph);
  const driverInitial = staticClosure(importsOf, options.driverEntry);
  const homeDeps = staticClosure(importsOf, options.homePage);
  const staffAll = reachable(graph, importsOf, options.staffEntry).all;
  const driverRoots = new Map<string, Set<string>>();
  const onDriverPages = new Set<string>();
  for (const root of reachable(graph, importsOf, options.driverEntry).dynamicRoots) {
    const isPage = options.isPage(root);
    for (const id of staticClosure(importsOf, root)) {
      if (isPage) onDriverPages.add(id);
      let roots = driverRoots.get(id);
      if (!roots) driverRoots.set(id, (roots = new Set()));
      roots.add(root);
    }
  }
  const needsMoreLibraries = (id: string) =>
    [...staticClosure(importsOf, id)].some((dependency) => /[\\/]node_modules[\\/]/.test(dependency) && !driverInitial.has(dependency));
  return { driverInitial, homeDeps, staffAll, driverRoots, onDriverPages, needsMoreLibraries };
}

/**
 * Kept with the pages that use them: the texts of the less used pages (merged into the app's messages
 * when their pages load, see src/web/driver/i18n.ts) and the public verifier's own code.
 */
const ownedByPages = /[\\/]src[\\/]web[\\/]driver[\\/](?:texts|messages|components[\\/]verify)[\\/]/;
const sharedSource = /[\\/]src[\\/](?:domain|contract|web[\\/]shared)[\\/]/;
const bundlerRuntime = /^\0(?:rolldown\/runtime|vite\/modulepreload-polyfill)\.js$/;

export function driverChunkGroups(options: DriverChunkOptions): CodeSplittingGroup[] {
  let classes: Classes | undefined;
  const classOf = (id: string, graph: ModuleGraph): string | null => {
    classes ??= classify(graph, options);
    const { driverInitial, homeDeps, staffAll, driverRoots, onDriverPages, needsMoreLibraries } = classes;
    if (id === options.driverEntry || id === options.staffEntry) return null;
    // The bundler's runtime and Vite's preload polyfill: both apps' entries import them first.
    if (bundlerRuntime.test(id)) return 'app-common';
    if (driverInitial.has(id) || homeDeps.has(id)) return staffAll.has(id) ? 'app-common' : 'driver-core';
    if (!onDriverPages.has(id)) return null;
    // Shared with the staff console: only the domain's and the shared web code, and none that brings a
    // library of its own (the contract's zod schemas stay with the pages that validate).
    if (staffAll.has(id)) return sharedSource.test(id) && !needsMoreLibraries(id) ? 'domain' : null;
    if (ownedByPages.test(id)) return null;
    return (driverRoots.get(id)?.size ?? 0) > 1 ? 'driver-pages' : null;
  };
  const group = (name: string): CodeSplittingGroup => ({
    debugName: name,
    name: (id, ctx) => (classOf(id, ctx) === name ? name : null),
    // Each group's imports are in its own or an earlier group (see above): nothing to pull in.
    includeDependenciesRecursively: false,
  });
  return ['app-common', 'driver-core', 'domain', 'driver-pages'].map(group);
}

/**
 * Fails the build when chunks import each other in a circle: the groups above take no dependencies of
 * their modules along (so that each stays small), which is sound only while every import points to the
 * same or an earlier group; a circle would leave the modules' order of evaluation to chance.
 */
export function noChunkCycles(): Plugin {
  return {
    name: 'rto:no-chunk-cycles',
    apply: 'build',
    generateBundle(_options, bundle) {
      const imports = new Map<string, string[]>();
      for (const file of Object.values(bundle)) if (file.type === 'chunk') imports.set(file.fileName, file.imports);
      const done = new Set<string>();
      const path: string[] = [];
      const visit = (chunk: string): void => {
        if (done.has(chunk)) return;
        const at = path.indexOf(chunk);
        if (at >= 0) this.error(`chunks import each other: ${[...path.slice(at), chunk].join(' → ')}`);
        path.push(chunk);
        for (const imported of imports.get(chunk) ?? []) visit(imported);
        path.pop();
        done.add(chunk);
      };
      for (const chunk of imports.keys()) visit(chunk);
    },
  };
}
