import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    titleKey?: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'login.title' } },
  {
    path: '/',
    component: () => import('./ConsoleLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { titleKey: 'menu.dashboard' } },
      { path: 'queue', name: 'queue', component: () => import('./pages/QueuePage.vue'), meta: { titleKey: 'menu.queue' } },
      {
        path: 'verification-requests',
        name: 'verification',
        component: () => import('./pages/VerificationPage.vue'),
        meta: { titleKey: 'menu.verification' },
      },
      { path: 'stats', name: 'stats', component: () => import('./pages/StatsPage.vue'), meta: { titleKey: 'menu.stats' } },
      { path: 'settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { titleKey: 'menu.settings' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'common.notFound' } },
    ],
  },
];

/** The console lives under /staff/ (see vite.config.ts). */
export const router = createRouter({ history: createWebHistory('/staff/'), routes });
