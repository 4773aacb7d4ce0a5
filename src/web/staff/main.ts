import { createApp } from 'vue';
import { ElMessage } from 'element-plus';
import App from './App.vue';
import { router } from './router.ts';
import { staffMessages } from './messages.ts';
import './elements.ts';
import { signedOut } from './session.ts';
import { createAppI18n } from '../shared/i18n.ts';
import { onStaffSessionLost } from '../shared/api.ts';
import 'element-plus/theme-chalk/base.css';
import './styles.css';

const i18n = createAppI18n(staffMessages, 'app.name');

// A 401 from any staff call (idle timeout, logout elsewhere): back to the login, then back to this page.
onStaffSessionLost((error) => {
  const current = router.currentRoute.value;
  signedOut();
  if (current.name === 'login') return;
  ElMessage.warning({ message: error.message, grouping: true });
  void router.replace({ name: 'login', query: { redirect: current.fullPath, reason: 'expired' } });
});

createApp(App).use(i18n).use(router).mount('#app');
