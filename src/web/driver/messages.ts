import { accountMessages } from './messages/account.ts';
import { businessMessages } from './messages/business.ts';
import { careMessages } from './messages/care.ts';
import { verifyMessages } from './messages/verify.ts';

/**
 * Texts of the drivers' app's first load, in the two shipped languages; the pages off it bring their own
 * (`texts/`: WeChat login, my data, the sensitive-data consents).
 */
export const driverMessages = {
  'zh-CN': {
    account: accountMessages['zh-CN'],
    care: careMessages['zh-CN'],
    ...businessMessages['zh-CN'],
    ...verifyMessages['zh-CN'],
    app: { name: '道路运政一网通办' },
    tab: { home: '首页', myOffice: '我的办件', user: '用户中心' },
    home: {
      title: '道路运政一网通办',
      subtitle: '道路运输从业人员从业资格证 便民服务',
      services: '服务事项',
      shortcuts: '常用服务',
      notice: '办理须知',
      noticeText:
        '登录并完成实名认证后，系统按身份证号自动关联您的从业资格证。提交申请后，业务人员在 2 个工作日内受理，受理后 3 个工作日内反馈办理结果。',
      noBusinesses: '暂无可办理的服务事项',
    },
    shortcut: { myOffice: '我的办件', scan: '扫一扫', user: '用户中心' },
    business: {
      title: '服务事项',
      steps: '办理流程',
      step: { notice: '阅读须知', certificate: '选择证件', info: '个人信息', materials: '上传材料', submit: '确认提交' },
      loginNeeded: '登录并完成实名认证后即可在线办理本事项',
      unknown: '未找到该服务事项',
    },
    myOffice: {
      title: '我的办件',
      loginNeeded: '登录后可在此查看您提交的办件及办理进度',
    },
    scan: {
      title: '扫一扫',
    },
    user: {
      title: '用户中心',
      guest: '未登录',
      guestHint: '登录后办理业务、查看办件',
      settings: '设置',
      about: '关于',
      version: '系统版本',
    },
    login: {
      title: '登录',
      hint: '使用手机号和短信验证码登录',
    },
  },
  en: {
    account: accountMessages.en,
    care: careMessages.en,
    ...businessMessages.en,
    ...verifyMessages.en,
    app: { name: 'Road Transport Online Services' },
    tab: { home: 'Home', myOffice: 'My Office', user: 'Me' },
    home: {
      title: 'Road Transport Online Services',
      subtitle: 'Qualification certificate services for road transport practitioners',
      services: 'Services',
      shortcuts: 'Shortcuts',
      notice: 'Before you apply',
      noticeText:
        'Log in and verify your real name: your qualification certificates are then found by your ID number. Staff accept an application within 2 working days and decide within 3 working days after acceptance.',
      noBusinesses: 'No services are available yet',
    },
    shortcut: { myOffice: 'My Office', scan: 'Scan', user: 'Me' },
    business: {
      title: 'Service',
      steps: 'How it works',
      step: { notice: 'Instructions', certificate: 'Certificate', info: 'Your details', materials: 'Materials', submit: 'Submit' },
      loginNeeded: 'Log in and verify your real name to apply online',
      unknown: 'This service does not exist',
    },
    myOffice: {
      title: 'My Office',
      loginNeeded: 'Log in to see your applications and their progress here',
    },
    scan: {
      title: 'Scan',
    },
    user: {
      title: 'Me',
      guest: 'Not logged in',
      guestHint: 'Log in to apply and follow your applications',
      settings: 'Settings',
      about: 'About',
      version: 'Version',
    },
    login: {
      title: 'Log in',
      hint: 'Log in with your mobile number and an SMS code',
    },
  },
} as const;
