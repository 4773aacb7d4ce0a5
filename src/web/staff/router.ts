import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { StaffRole } from '../shared/api.ts';
import { currentStaff } from './session.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    titleKey?: string;
    /** Open without a staff session. */
    public?: boolean;
    /** Roles that may open the page (all staff when absent). */
    roles?: readonly StaffRole[];
  }
}

const admins = ['province_admin', 'system_admin'] as const;

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'login.title', public: true } },
  {
    path: '/',
    component: () => import('./ConsoleLayout.vue'),
    children: [
      { path: '', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { titleKey: 'menu.dashboard' } },
      { path: 'queue', name: 'queue', component: () => import('./pages/QueuePage.vue'), meta: { titleKey: 'menu.queue' } },
      { path: 'applications/:id', name: 'application', component: () => import('./pages/ApplicationPage.vue'), meta: { titleKey: 'menu.application' } },
      {
        path: 'verification-requests',
        name: 'verification',
        component: () => import('./pages/VerificationPage.vue'),
        meta: { titleKey: 'menu.verification' },
      },
      {
        path: 'real-name-reviews',
        name: 'realName',
        component: () => import('./pages/RealNameReviewsPage.vue'),
        meta: { titleKey: 'menu.realName', roles: ['handler', 'province_admin', 'system_admin'] },
      },
      { path: 'sla', name: 'stats', alias: '/stats', component: () => import('./pages/StatsPage.vue'), meta: { titleKey: 'menu.stats', roles: admins } },
      { path: 'settings', name: 'settings', component: () => import('./pages/SettingsPage.vue'), meta: { titleKey: 'menu.settings', roles: ['province_admin'] } },
      { path: 'audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { titleKey: 'menu.audit', roles: admins } },
      { path: 'security', name: 'security', component: () => import('./pages/SecurityPage.vue'), meta: { titleKey: 'menu.security' } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'common.notFound' } },
    ],
  },
];

/** The console lives under /staff/ (see vite.config.ts). */
export const router = createRouter({ history: createWebHistory('/staff/'), routes });

// Every page but the login needs a staff session; pages for some roles answer "not found" to the others.
router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  let staff;
  try {
    staff = await currentStaff();
  } catch {
    // The server could not be asked: the login page says what happens next.
    staff = null;
  }
  if (!staff) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  const roles = to.matched.reduce<readonly StaffRole[] | undefined>((found, record) => record.meta.roles ?? found, undefined);
  if (roles && !roles.includes(staff.role)) return { name: 'not-found', params: { pathMatch: to.path.slice(1).split('/') } };
  return true;
});
