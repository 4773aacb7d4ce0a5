import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the navigation bar title. */
    titleKey?: string;
    /** Pages reached from the bottom tab bar have no back arrow. */
    tab?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { titleKey: 'home.title', tab: true } },
  {
    path: '/business/:key/:variant?',
    name: 'business',
    component: () => import('./pages/BusinessPage.vue'),
    meta: { titleKey: 'business.title' },
  },
  {
    path: '/my-office',
    name: 'my-office',
    component: () => import('./pages/MyOfficePage.vue'),
    meta: { titleKey: 'myOffice.title', tab: true },
  },
  { path: '/scan', name: 'scan', component: () => import('./pages/ScanPage.vue'), meta: { titleKey: 'scan.title' } },
  { path: '/user', name: 'user', component: () => import('./pages/UserCenterPage.vue'), meta: { titleKey: 'user.title', tab: true } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'login.title' } },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'common.notFound' } },
];

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});
