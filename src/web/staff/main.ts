import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router.ts';
import { staffMessages } from './messages.ts';
import { createAppI18n } from '../shared/i18n.ts';
import 'element-plus/theme-chalk/base.css';
import './styles.css';

const i18n = createAppI18n(staffMessages, { 'zh-CN': staffMessages['zh-CN'].app.name, en: staffMessages.en.app.name });

createApp(App).use(i18n).use(router).mount('#app');
