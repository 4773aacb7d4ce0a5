// WeChat login and 账号与安全: loaded with the login, user-centre and account-security pages.
import { addMessages } from '../i18n.ts';
import { wechatMessages } from '../messages/wechat.ts';

addMessages({ 'zh-CN': { wechat: wechatMessages['zh-CN'] }, en: { wechat: wechatMessages.en } });
