import { createApp } from 'vue';
import { Locale } from 'vant';
import vantEnUS from 'vant/es/locale/lang/en-US';
import vantZhCN from 'vant/es/locale/lang/zh-CN';
import { watch } from 'vue';
import App from './App.vue';
import { router } from './router.ts';
import { i18n } from './i18n.ts';
import { currentLocale } from '../shared/i18n.ts';
import './styles.css';

// Vant's own texts (dialog buttons, pull-to-refresh…) follow the app language.
watch(
  currentLocale,
  (locale) => (locale === 'en' ? Locale.use('en-US', vantEnUS) : Locale.use('zh-CN', vantZhCN)),
  { immediate: true },
);

createApp(App).use(i18n).use(router).mount('#app');
