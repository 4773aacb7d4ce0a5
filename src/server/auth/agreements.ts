import type { Localized } from '../../domain/errors.ts';

/**
 * The User Agreement (用户协议) and Privacy Policy (隐私政策) a driver accepts when logging in.
 * A change of either text gets a new version: clients that show an older version are refused at login
 * (AGREEMENT_OUTDATED), so every consent row names the text the driver actually saw.
 */

export type AgreementKey = 'user_agreement' | 'privacy_policy';

export interface AgreementSection {
  heading: Localized;
  paragraphs: Localized[];
}

export interface Agreement {
  key: AgreementKey;
  version: string;
  /** ISO date from which this version applies. */
  effectiveDate: string;
  title: Localized;
  sections: AgreementSection[];
}

const p = (zh: string, en: string): Localized => ({ zh, en });

export const userAgreement: Agreement = {
  key: 'user_agreement',
  version: 'v1.1-2026-12-01',
  effectiveDate: '2026-12-01',
  title: p('道路运政一网通办用户服务协议', 'Road Transport Online Services — User Agreement'),
  sections: [
    {
      heading: p('一、协议的范围', '1. Scope'),
      paragraphs: [
        p(
          '本协议是您与道路运输管理机构（以下简称“我们”）之间就使用“道路运政一网通办”（以下简称“本服务”）所订立的协议。本服务用于道路运输从业人员办理从业资格证补发、换发、变更、注销及驾驶员诚信考核等政务服务事项。',
          'This agreement is made between you and the road transport authorities ("we") for the use of the Road Transport Online Services ("the Service"). The Service lets road transport practitioners apply for replacement, renewal, change and cancellation of their qualification certificate and for the drivers’ credit assessment.',
        ),
        p(
          '您点击“登录”即表示您已阅读并同意本协议和《隐私政策》。如您不同意，请不要登录或使用本服务，您仍可前往窗口办理相关业务。',
          'By tapping "Log in" you confirm that you have read and accept this agreement and the Privacy Policy. If you do not accept them, do not log in; you can still apply in person at a service counter.',
        ),
      ],
    },
    {
      heading: p('二、账号注册与登录', '2. Account and login'),
      paragraphs: [
        p(
          '您以本人实名登记的中国大陆手机号码和短信验证码登录，首次登录即自动注册账号。一个手机号码只能对应一个账号，请勿将验证码告知他人。',
          'You log in with a mainland China mobile number registered in your own name and a code sent by SMS; the first login creates your account. One phone number belongs to one account. Never tell anyone your code.',
        ),
        p(
          '办理业务前须完成实名认证：上传本人居民身份证人像面照片并核对信息。一个身份证号码只能绑定一个账号。您应妥善保管手机和账号，因您泄露验证码或借用他人账号造成的后果由您自行承担。',
          'Before applying for any service you must verify your real name by uploading a photo of the portrait side of your own resident identity card and checking the details. One ID number can be bound to one account only. Keep your phone and account safe; you are responsible for what happens if you disclose a code or use someone else’s account.',
        ),
        p(
          '为保护您的账号安全，登录状态在30分钟无操作或登录满12小时后自动失效，需要重新登录。',
          'To protect your account, a login ends after 30 minutes without activity or 12 hours after it began, and you must log in again.',
        ),
      ],
    },
    {
      heading: p('三、您的义务', '3. Your obligations'),
      paragraphs: [
        p(
          '您应保证提交的身份信息、申请信息和材料真实、准确、完整、有效，不得冒用他人身份，不得提交伪造、变造的材料。提供虚假材料的，将依照《中华人民共和国行政许可法》《道路运输从业人员管理规定》等规定承担相应法律责任。',
          'The identity details, applications and materials you submit must be true, accurate, complete and valid. Do not impersonate anyone and do not submit forged or altered documents. Submitting false materials carries legal liability under the Administrative Licensing Law, the Provisions on the Administration of Road Transport Practitioners and other rules.',
        ),
        p(
          '您不得利用本服务从事违法活动，不得干扰本服务的正常运行，不得以自动化手段批量获取验证码或访问本服务。',
          'You must not use the Service for unlawful purposes, disrupt its operation, or request codes or access it in bulk by automated means.',
        ),
      ],
    },
    {
      heading: p('四、服务内容与办理时限', '4. What the Service does and its time limits'),
      paragraphs: [
        p(
          '我们在收到申请后2个工作日内受理，受理后3个工作日内反馈办理结果；材料不齐全或不符合要求的，将一次性告知需要补正的全部内容。信息核查申请由原发证机关在受理后2个工作日内答复。',
          'We accept an application within 2 working days of receiving it and give the result within 3 working days of acceptance. If materials are incomplete or do not meet the requirements, we tell you everything that must be corrected in one notice. An information-verification request is answered by the original issuing authority within 2 working days of acceptance.',
        ),
        p(
          '通过本服务生成的诚信考核凭证和电子证照带有电子签名，可通过扫码核验，与纸质凭证具有同等效力。',
          'Credit-assessment vouchers and electronic certificates produced by the Service carry an electronic signature, can be verified by scanning their QR code, and have the same effect as paper documents.',
        ),
      ],
    },
    {
      heading: p('五、服务的变更与中断', '5. Changes and interruptions'),
      paragraphs: [
        p(
          '因系统维护、升级或不可抗力，本服务可能暂停或中断，我们将尽可能提前公告。本协议内容变更时，我们将在登录页面公布新版本，您需重新阅读并同意后方可继续使用。',
          'The Service may be suspended for maintenance, upgrades or force majeure; we announce planned interruptions in advance where possible. When this agreement changes, the new version is shown on the login page and you must read and accept it to continue.',
        ),
      ],
    },
    {
      heading: p('六、账号注销', '6. Closing your account'),
      paragraphs: [
        p(
          '您可以在“用户中心—我的数据与注销”下载个人信息副本或注销账号；有正在办理的业务时，需待办结或撤回后注销。注销后账号、登录状态、同意记录和身份证照片即删除，已办结的办件、凭证按政务档案管理规定保存，不再与您的手机号和账号关联。',
          'Under Me → My data and closing you can download a copy of your data or close your account; while an application is being handled it must be finished or withdrawn first. Closing deletes the account, its logins, consent records and ID-card photos at once; finished applications and vouchers are kept as required for government records, no longer linked to your phone or account.',
        ),
      ],
    },
    {
      heading: p('七、法律适用与争议解决', '7. Governing law and disputes'),
      paragraphs: [
        p(
          '本协议适用中华人民共和国法律。您对办理结果有异议的，可依法申请行政复议或者提起行政诉讼。',
          'This agreement is governed by the laws of the People’s Republic of China. If you disagree with a decision, you may apply for administrative reconsideration or bring an administrative lawsuit as provided by law.',
        ),
      ],
    },
  ],
};

export const privacyPolicy: Agreement = {
  key: 'privacy_policy',
  version: 'v1.1-2026-12-01',
  effectiveDate: '2026-12-01',
  title: p('道路运政一网通办隐私政策', 'Road Transport Online Services — Privacy Policy'),
  sections: [
    {
      heading: p('一、我们收集哪些个人信息', '1. What personal information we collect'),
      paragraphs: [
        p(
          '登录：您的手机号码（用于发送验证码和办件通知）。',
          'Login: your mobile number (to send login codes and notices about your applications).',
        ),
        p(
          '实名认证：居民身份证人像面照片，以及从中识别并经您确认的姓名、性别、民族、出生日期、住址、公民身份号码。其中身份证号码和身份证照片属于敏感个人信息，上传前我们会单独征求您的同意；需要人脸核身时，核身前也会就人脸信息单独征求您的同意。',
          'Real-name verification: a photo of the portrait side of your resident identity card and the name, sex, ethnicity, birth date, address and citizen ID number read from it and confirmed by you. The ID number and the ID photo are sensitive personal information: we ask your separate consent before the photo is uploaded, and, where a face check is needed, separately again for your face before it.',
        ),
        p(
          '办理业务：您填写的申请信息（如服务单位、联系地址、联系电话、邮寄地址）和上传的材料照片（如证件照、驾驶证、从业资格证页面、学习教育记录）。',
          'Applications: what you enter (such as service unit, address, contact phone, mailing address) and the photos of materials you upload (such as ID photo, driving licence, certificate pages, education records).',
        ),
        p(
          '微信登录（仅当您选择）：微信为本服务提供的用户标识（openid，及有时的 unionid），用于下次打开时免输验证码登录；您勾选展示微信昵称和头像时，还有昵称和头像；在小程序中您选择使用微信绑定的手机号时，还有该手机号。可在“用户中心 → 账号与安全”随时解绑，解绑后不再保存上述信息。',
          'WeChat login (only if you choose it): the identifier WeChat gives this service for you (openid, and sometimes unionid), so that you are logged in without a code next time; your WeChat nickname and avatar only if you tick the box to show them; in the mini program, the phone number bound to WeChat if you choose to use it. You can unbind WeChat at any time in User Centre → Account & security; the binding is then deleted.',
        ),
        p(
          '安全记录：登录时间、登录方式、会话信息和访问IP地址，用于防范冒用和滥用。',
          'Security records: login times, login method, session data and IP addresses, to prevent impersonation and abuse.',
        ),
      ],
    },
    {
      heading: p('二、我们如何使用这些信息', '2. How we use it'),
      paragraphs: [
        p(
          '仅用于：核验您的身份；按身份证号码关联您在道路运输管理信息系统中的从业资格证信息；受理、审核和办结您申请的业务；生成凭证和电子证照；向您发送验证码和办件进度通知；依法履行监督管理职责。我们不会将您的个人信息用于商业营销。',
          'Only to: verify your identity; find your qualification certificates in the road transport registry by your ID number; accept, review and complete your applications; produce vouchers and electronic certificates; send you login codes and progress notices; and carry out supervision duties required by law. We never use your personal information for marketing.',
        ),
        p(
          '身份证照片的文字识别在我们自己的服务器上完成，照片不会发送给任何第三方识别服务。',
          'Text on your ID photo is read on our own servers; the photo is never sent to any third-party recognition service.',
        ),
      ],
    },
    {
      heading: p('三、共享、委托处理与公开', '3. Sharing, processors and disclosure'),
      paragraphs: [
        p(
          '您的申请由您的从业资格证发证机关及其所在省级道路运输管理机构处理。为发送短信，我们将手机号码和短信内容提供给短信服务商，并通过合同要求其仅为发送短信使用。我们不会向其他单位或个人提供您的个人信息，法律、行政法规另有规定或者您另行同意的除外。',
          'Your applications are handled by the authority that issued your certificate and the road transport authority of its province. To send SMS messages we give your phone number and the message text to an SMS service provider, which by contract may use them only to deliver the message. We give your personal information to no one else unless laws or regulations require it or you agree.',
        ),
        p(
          '凭证核验页面仅显示脱敏后的姓名和证件号码。',
          'The public voucher verification page shows your name and ID number in masked form only.',
        ),
      ],
    },
    {
      heading: p('四、存储与保存期限', '4. Storage and retention'),
      paragraphs: [
        p(
          '您的个人信息存储在中华人民共和国境内。短信验证码仅保存其不可逆摘要，5分钟后失效。账号和实名信息在账号存续期间保存；办件记录、申请材料和凭证按政务服务档案管理规定的期限保存，期满后删除或匿名化处理；安全日志保存不少于6个月。',
          'Your personal information is stored inside the People’s Republic of China. Login codes are kept only as irreversible hashes and expire after 5 minutes. Account and real-name details are kept while the account exists; applications, materials and vouchers are kept for the period set by the rules on government service records and then deleted or anonymised; security logs are kept for at least 6 months.',
        ),
      ],
    },
    {
      heading: p('五、我们如何保护您的信息', '5. How we protect it'),
      paragraphs: [
        p(
          '我们采用传输加密、访问控制、最小授权和操作日志审计等措施；工作人员只能查看本省的办件；系统日志中的手机号码和身份证号码均经脱敏处理；上传的图片会去除位置等元数据后保存。',
          'We use encrypted transport, access control, least privilege and audited operation logs; staff see only applications of their own province; phone and ID numbers in system logs are masked; uploaded pictures are stored with location and other metadata removed.',
        ),
        p(
          '如发生个人信息泄露等安全事件，我们将按照法律规定及时告知您并向主管部门报告。',
          'If a security incident such as a leak of personal information occurs, we will inform you and report it to the competent authorities as the law requires.',
        ),
      ],
    },
    {
      heading: p('六、您的权利', '6. Your rights'),
      paragraphs: [
        p(
          '依照《中华人民共和国个人信息保护法》，您有权查阅、复制您的个人信息；发现信息有误的，可以通过“信息核查申请”或业务办理要求更正；您有权撤回同意、要求删除法律法规未要求保存的信息、申请注销账号，并可要求我们解释个人信息处理规则。撤回同意不影响撤回前基于同意已进行的处理，但您将无法继续在线办理业务。',
          'Under the Personal Information Protection Law you may access and copy your personal information; if it is wrong you may have it corrected through an information-verification request or an application; you may withdraw consent, ask us to delete information that no law requires us to keep, close your account, and ask us to explain these rules. Withdrawing consent does not affect processing done before, but you will no longer be able to apply online.',
        ),
        p(
          '您可以在“用户中心—我的数据与注销”自行下载个人信息副本或注销账号。行使其他权利，请联系所在省份“联系我们”中公布的业务咨询电话，我们将在15个工作日内答复。',
          'You can download a copy of your data or close your account yourself under Me → My data and closing. For the other rights, call the enquiry number listed under "Contact us" for your province; we will answer within 15 working days.',
        ),
      ],
    },
    {
      heading: p('七、未成年人', '7. Minors'),
      paragraphs: [
        p(
          '本服务面向取得或申请道路运输从业资格的成年人，不面向未满十八周岁的未成年人。',
          'The Service is for adults who hold or apply for a road transport qualification, not for anyone under 18.',
        ),
      ],
    },
    {
      heading: p('八、本政策的更新', '8. Changes to this policy'),
      paragraphs: [
        p(
          '本政策更新后，我们将在登录页面公布新版本并注明生效日期，您需重新阅读并同意后方可继续使用本服务。',
          'When this policy changes, the new version and its effective date are shown on the login page, and you must read and accept it to continue using the Service.',
        ),
      ],
    },
  ],
};

export const currentAgreements = { userAgreement, privacyPolicy } as const;

/** The versions a client must send when logging in. */
export const currentAgreementVersions = {
  userAgreement: userAgreement.version,
  privacyPolicy: privacyPolicy.version,
} as const;
