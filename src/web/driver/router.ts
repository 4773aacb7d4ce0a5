import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { accountGuard } from './session.ts';
import { wechatSilentLogin } from './wechat.ts';
import { loadBusinesses } from './catalog.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the navigation bar title. */
    titleKey?: string;
    /** Pages reached from the bottom tab bar have no back arrow. */
    tab?: boolean;
    /** 'driver': needs a login; 'verified': also needs real-name verification (see accountGuard). */
    auth?: 'driver' | 'verified';
    /** Login, agreements and step-by-step flows hide the bottom tab bar (their own buttons sit there). */
    noTabbar?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'home', component: () => import('./pages/HomePage.vue'), meta: { titleKey: 'home.title', tab: true } },
  {
    path: '/business/:key/:variant?',
    name: 'business',
    // The catalog is asked for while the page's code downloads, not after it has run (the page retries
    // a failed fetch itself).
    component: () => {
      loadBusinesses().catch(() => undefined);
      return import('./pages/BusinessPage.vue');
    },
    meta: { titleKey: 'business.title', noTabbar: true },
  },
  {
    path: '/my-office',
    name: 'my-office',
    component: () => import('./pages/MyOfficePage.vue'),
    meta: { titleKey: 'myOffice.title', tab: true },
  },
  {
    path: '/my-office/:id',
    name: 'application',
    component: () => import('./pages/ApplicationDetailPage.vue'),
    meta: { titleKey: 'office.detailTitle', auth: 'verified' },
  },
  {
    path: '/my-office/:id/submitted',
    name: 'application-submitted',
    component: () => import('./pages/BusinessResultPage.vue'),
    meta: { titleKey: 'result.navTitle', auth: 'verified' },
  },
  { path: '/scan', name: 'scan', component: () => import('./pages/ScanPage.vue'), meta: { titleKey: 'scan.title' } },
  {
    path: '/my-office/:id/voucher',
    name: 'voucher',
    component: () => import('./pages/VoucherPage.vue'),
    meta: { titleKey: 'voucher.title', auth: 'driver' },
  },
  // The public verifier a voucher's QR opens: no login.
  { path: '/v/:token', name: 'verify', component: () => import('./pages/VerifyPage.vue'), meta: { titleKey: 'verify.title' } },
  {
    path: '/certificates/:id/e-certificate',
    name: 'e-certificate',
    component: () => import('./pages/ECertificatePage.vue'),
    meta: { titleKey: 'eCertificate.title', auth: 'verified' },
  },
  { path: '/user', name: 'user', component: () => import('./pages/UserCenterPage.vue'), meta: { titleKey: 'user.title', tab: true } },
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { titleKey: 'login.title', noTabbar: true } },
  { path: '/agreements/:kind(user|privacy)', name: 'agreement', component: () => import('./pages/AgreementPage.vue'), meta: { titleKey: 'account.agreement.title', noTabbar: true } },
  { path: '/real-name', name: 'real-name', component: () => import('./pages/RealNamePage.vue'), meta: { titleKey: 'account.realName.title', auth: 'driver', noTabbar: true } },
  { path: '/account-security', name: 'account-security', component: () => import('./pages/AccountSecurityPage.vue'), meta: { titleKey: 'wechat.security.title', auth: 'driver' } },
  { path: '/user/my-data', name: 'my-data', component: () => import('./pages/MyDataPage.vue'), meta: { titleKey: 'myData.title', auth: 'driver' } },
  { path: '/contacts', name: 'contacts', component: () => import('./pages/UserCenterContactsPage.vue'), meta: { titleKey: 'account.contacts.title' } },
  { path: '/certificates', name: 'certificates', component: () => import('./pages/CertificatesPage.vue'), meta: { titleKey: 'account.certificates.title', auth: 'verified' } },
  {
    path: '/certificates/:id/verification-request',
    name: 'verification-request',
    component: () => import('./pages/VerificationRequestPage.vue'),
    meta: { titleKey: 'account.verification.title', auth: 'verified', noTabbar: true },
  },
  { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('./pages/NotFoundPage.vue'), meta: { titleKey: 'common.notFound' } },
];

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
});

router.beforeEach(wechatSilentLogin);
router.beforeEach(accountGuard);
