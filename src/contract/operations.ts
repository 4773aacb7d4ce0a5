/**
 * The API description integrators read at /api/docs: per operation (method + route as registered) a
 * summary, what it does, whom it serves, and the error codes it answers with. Applied to the routes by
 * server/http/operationDocs.ts; a test checks that every route has an entry, so a new route comes with
 * its description. Every error answers `{ "error": { "code", "message" } }` in the caller's language.
 */

export interface OperationError {
  status: number;
  code: string;
  when: string;
}

export interface OperationDoc {
  summary: string;
  description: string;
  audience: string;
  errors: OperationError[];
}

export const operationKey = (method: string, url: string) => `${method.toUpperCase()} ${url}`;

const e = (status: number, code: string, when: string): OperationError => ({ status, code, when });

const invalid = e(400, 'VALIDATION_FAILED', 'the query, path or body does not match the schema (fields named in details)');
const driverAuth = [e(401, 'UNAUTHENTICATED', 'no driver session (cookie or bearer token)'), e(401, 'SESSION_EXPIRED', 'the session passed its idle or absolute limit')];
const realName = e(403, 'REAL_NAME_REQUIRED', 'the account has not completed real-name authentication');
const staffAuth = [
  e(401, 'UNAUTHENTICATED', 'no staff session'),
  e(401, 'SESSION_EXPIRED', 'the staff session passed 15 minutes idle or 8 hours'),
  e(403, 'STAFF_ROLE_FORBIDDEN', 'the staff member’s role may not use this operation'),
];
const adminScope = [e(400, 'PROVINCE_REQUIRED', 'a system admin did not name the province'), e(403, 'PROVINCE_FORBIDDEN', 'a province admin named another province')];
const applicationNotFound = e(404, 'APPLICATION_NOT_FOUND', 'no such application of this account (or not visible to this staff member)');
const stateChanged = e(409, 'STATE_CHANGED', 'the application changed meanwhile (or is in a state that does not allow this); refresh');
const rateLimited = e(429, 'RATE_LIMITED', 'too many requests from this client; retry after the Retry-After header');
const upload = [
  e(400, 'UPLOAD_MISSING', 'no file in the multipart body'),
  e(413, 'UPLOAD_TOO_LARGE', 'the file is larger than 10 MB'),
  e(415, 'UPLOAD_NOT_MULTIPART', 'the body is not multipart/form-data'),
  e(422, 'UPLOAD_UNSUPPORTED_TYPE', 'the content is not a JPEG or PNG (checked by content, not name)'),
  e(422, 'UPLOAD_UNREADABLE', 'the picture cannot be decoded'),
  e(503, 'SERVICE_BUSY', 'too many uploads are being processed; retry after Retry-After'),
  e(429, 'UPLOAD_RATE_LIMITED', 'this account uploaded too much this hour; retry after Retry-After'),
];
const sensitiveConsent = e(403, 'SENSITIVE_CONSENT_REQUIRED', 'the driver has not given the separate consent to the ID card’s data (or, before a face check, to the face)');
const smsCode = [
  e(401, 'SMS_CODE_MISSING', 'no code was asked for this phone'),
  e(401, 'SMS_CODE_INVALID', 'wrong code'),
  e(401, 'SMS_CODE_EXPIRED', 'the code is older than 5 minutes'),
  e(401, 'SMS_CODE_EXHAUSTED', '5 wrong tries: ask for a new code'),
  e(401, 'SMS_CODE_USED', 'the code was used already'),
];
const wechatDisabled = e(404, 'WECHAT_DISABLED', 'this service does not offer WeChat login (of this kind: web pages or mini program)');
const wechatTooFrequent = e(429, 'WECHAT_TOO_FREQUENT', 'too many WeChat logins from this address (30 a minute, 500 a day); retry after Retry-After');
const wechatBindingExpired = e(401, 'WECHAT_BINDING_EXPIRED', 'no binding ticket, or it was used or is older than 15 minutes: authorise with WeChat again');
const wechatConflicts = [
  e(409, 'WECHAT_IDENTITY_TAKEN', 'this WeChat is bound to another account (unbind it there first)'),
  e(409, 'WECHAT_ACCOUNT_HAS_OTHER', 'the account of this phone is bound to another WeChat'),
];
const wechatApi = [
  e(401, 'WECHAT_CODE_INVALID', 'WeChat does not know the code, or it expired (5 minutes)'),
  e(401, 'WECHAT_CODE_USED', 'the code was used already'),
  e(503, 'WECHAT_BUSY', 'WeChat is busy; retry after Retry-After'),
  e(502, 'WECHAT_UNAVAILABLE', 'WeChat did not answer or refused (the driver can log in by SMS)'),
];
const exchangeAuth = [
  e(401, 'EXCHANGE_KEY_MISSING', 'no Authorization: Bearer key'),
  e(401, 'EXCHANGE_KEY_INVALID', 'the key is not one this installation issued'),
  e(401, 'EXCHANGE_KEY_REVOKED', 'the partner’s key was revoked'),
];

const DRIVERS = 'drivers’ app (mobile web, WeChat browser) and mini-program clients';
const STAFF = 'staff console: handlers and reviewers of the province';
const ADMINS = 'staff console: province admins (system admins name the province)';
const PUBLIC = 'anyone: police, employers, offline verifiers';
const OPS = 'operators: load balancers, monitoring';
const NATIONAL = 'the ministerial road transport management information system and other exchange partners';

export const OPERATIONS: Record<string, OperationDoc> = {
  // ---- reference
  'GET /api/v1/health': { summary: 'Liveness', description: 'Answers 200 while the process serves requests; touches nothing else.', audience: OPS, errors: [] },
  'GET /api/v1/ready': { summary: 'Readiness', description: 'Answers whether the database (and Redis, storage when configured) answer, so a load balancer sends traffic only to a ready instance; 503 with the failing part otherwise.', audience: OPS, errors: [e(503, 'SERVICE_UNAVAILABLE', 'a dependency does not answer')] },
  'GET /api/v1/provinces': { summary: 'Provinces', description: 'The 31 provincial-level divisions and the XPCC with their codes and names, and what each asks at real-name authentication.', audience: `${DRIVERS}; staff console`, errors: [] },
  'GET /api/v1/contacts': { summary: 'Contact us (联系我们)', description: 'The business managers of a province (name, title, phone, hours) in the caller’s language.', audience: DRIVERS, errors: [invalid, e(404, 'PROVINCE_NOT_FOUND', 'no such province')] },
  'GET /api/v1/catalog/businesses': { summary: 'Businesses and their materials', description: 'Every business (credit assessment, renewal, replacement, change, cancellation): instructions, fields, the materials asked for with example pictures, per province when it changed the defaults.', audience: DRIVERS, errors: [invalid] },
  // ---- auth
  'GET /api/v1/auth/agreements': { summary: 'User agreement and privacy policy', description: 'The current versions and texts the driver accepts when logging in.', audience: DRIVERS, errors: [] },
  'POST /api/v1/auth/sms-codes': {
    summary: 'Send a login code by SMS',
    description: 'Sends a 6-digit code valid 5 minutes to a mainland mobile number; a new one after 60 s. The answer never tells whether the phone is registered. Limited per phone (1/min, 5/h, 10/day) and per IP.',
    audience: DRIVERS,
    errors: [invalid, e(400, 'PHONE_INVALID', 'not an 11-digit mainland mobile number'), e(429, 'SMS_TOO_FREQUENT', 'asked again within 60 s'), e(429, 'SMS_HOURLY_LIMIT', '5 codes this hour'), e(429, 'SMS_DAILY_LIMIT', '10 codes today'), e(429, 'SMS_IP_LIMIT', 'too many codes from this address'), e(502, 'SMS_SEND_FAILED', 'the SMS provider refused or did not answer')],
  },
  'POST /api/v1/auth/sessions': {
    summary: 'Log in with the SMS code',
    description: 'Checks the code (single use, 5 tries), creates the account on first login, records consent to the agreements shown, and answers a session token (also set as an HTTP-only cookie).',
    audience: DRIVERS,
    errors: [invalid, e(401, 'SMS_CODE_INVALID', 'wrong code'), e(401, 'SMS_CODE_EXPIRED', 'the code is older than 5 minutes'), e(401, 'SMS_CODE_EXHAUSTED', '5 wrong tries: ask for a new code'), e(401, 'SMS_CODE_USED', 'the code was used already'), e(422, 'AGREEMENT_OUTDATED', 'the agreement versions accepted are not the current ones'), rateLimited],
  },
  'DELETE /api/v1/auth/sessions/current': { summary: 'Log out', description: 'Ends the session on the server and clears the cookie.', audience: DRIVERS, errors: [] },
  'GET /api/v1/auth/wechat': { summary: 'WeChat logins offered', description: 'Whether WeChat login is configured for web pages in WeChat’s browser (`web`) and for the mini program (`miniProgram`), so the app shows the WeChat button only where it works.', audience: DRIVERS, errors: [] },
  'GET /api/v1/auth/wechat/authorize': {
    summary: 'Start WeChat authorisation (in WeChat’s browser)',
    description: 'Redirects (302) to WeChat’s authorize page. The `state` is random, single use, valid 10 minutes and also set as an HTTP-only cookie, so only this browser can finish the login. `scope=base` (default) is silent and gives the openid; `scope=userinfo` asks the driver for nickname and avatar — ask it only after the driver taps, since a page that asks it on entry opens as WeChat’s snapshot page, whose virtual users are refused. `redirect` is a path of this app to continue at (anything else becomes /); `silent=1` marks an attempt the app made on its own, after which an unknown WeChat simply continues as a guest.',
    audience: DRIVERS,
    errors: [invalid, wechatDisabled, wechatTooFrequent],
  },
  'GET /api/v1/auth/wechat/callback': {
    summary: 'WeChat authorisation callback',
    description: 'WeChat sends the browser here with `code` and `state`; the answer is always a 302 into the app. The state must equal this browser’s cookie and is used once, so a link made in another browser or replayed does nothing; the code is traded with WeChat once, and a snapshot-page user is never logged in. A WeChat bound to an account logs in (session cookie, on to `redirect`); a driver already logged in binds this WeChat to their account (on to `redirect` with `wechat=bound`); an unknown WeChat gets a binding ticket (cookie, 15 minutes) and goes to /login?wechat=bind to prove a phone; a silent attempt continues as a guest. Failures go to /login?wechat_error=CODE (a silent attempt fails quietly): WECHAT_STATE_MISMATCH, WECHAT_STATE_EXPIRED, WECHAT_DENIED (the driver refused), WECHAT_SNAPSHOT, WECHAT_CODE_INVALID, WECHAT_CODE_USED, WECHAT_BUSY, WECHAT_UNAVAILABLE, WECHAT_IDENTITY_TAKEN, WECHAT_ACCOUNT_HAS_OTHER, or AGREEMENT_OUTDATED (the texts changed since the driver accepted them: log in by SMS to accept the current ones).',
    audience: DRIVERS,
    errors: [invalid, wechatDisabled, wechatTooFrequent],
  },
  'GET /api/v1/auth/wechat/pending': { summary: 'The WeChat waiting for a phone', description: 'What the login page shows while a WeChat identity waits to be bound to a phone: its kind (web or mini program), nickname and avatar when the driver shared them, and when the binding ticket expires. Reads this browser’s binding cookie without using the ticket up.', audience: DRIVERS, errors: [wechatDisabled, wechatBindingExpired] },
  'POST /api/v1/auth/wechat/bindings': {
    summary: 'Bind the pending WeChat to a phone and log in',
    description: 'Finishes a WeChat login no account has yet: the phone proved by an SMS code (POST /auth/sms-codes) logs in — its account created on first login, consent to the agreements recorded — and the WeChat identity is bound to it, in one transaction. The binding ticket (once, 15 minutes) comes from the cookie set by the callback or the web-view hand-off, or from `bindingTicket` (mini program). Answers 201 with the session as SMS login does (token and cookie). An account holds one WeChat and a WeChat one account.',
    audience: DRIVERS,
    errors: [invalid, wechatDisabled, e(400, 'PHONE_INVALID', 'not an 11-digit mainland mobile number'), e(422, 'AGREEMENT_OUTDATED', 'the agreement versions accepted are not the current ones'), wechatBindingExpired, ...smsCode, ...wechatConflicts],
  },
  'POST /api/v1/auth/wechat/mini-program': {
    summary: 'Log in from the mini program',
    description: 'For a mini program that opens this service in a `<web-view>`. `code` from `wx.login()` is traded with WeChat (code2Session) for the openid (and unionid when the apps share an Open Platform account). A bound WeChat logs in: 201 `status: logged_in` with a bearer token and `webViewUrl`, a one-time path (2 minutes) that logs the web-view in with its own cookie; when the agreements changed since the driver accepted them, `agreementVersion` must be sent. An unknown WeChat with `phoneCode` (getPhoneNumber button) logs in the account of the phone bound to WeChat — created on first login — and binds the WeChat; `agreementVersion` is then required. An unknown WeChat without it: 200 `status: binding_required` with a `bindingTicket` for POST /auth/wechat/bindings (the mini program asks for the phone and SMS code itself; binding is never continued through a link, which another person could be sent).',
    audience: DRIVERS,
    errors: [
      invalid,
      wechatDisabled,
      wechatTooFrequent,
      ...wechatApi,
      e(422, 'AGREEMENT_REQUIRED', 'a first binding, or the texts changed since the driver accepted them: send `agreementVersion`'),
      e(422, 'AGREEMENT_OUTDATED', 'the agreement versions sent are not the current ones'),
      e(422, 'WECHAT_PHONE_UNSUPPORTED', 'the phone bound to WeChat is not a mainland mobile number (use SMS login)'),
      ...wechatConflicts,
    ],
  },
  'GET /api/v1/auth/wechat/web-view': { summary: 'Hand-off into the mini program’s web-view', description: 'Opened by the `<web-view>` with `webViewUrl`. A login ticket (once, 2 minutes) starts a web session of the account (cookie) and redirects to /; anything else (binding tickets included) redirects to /login?wechat_error=WECHAT_BINDING_EXPIRED.', audience: DRIVERS, errors: [invalid, wechatDisabled] },
  'GET /api/v1/me': { summary: 'The logged-in driver', description: 'Phone (masked), whether real-name authentication is done, and the verified identity (masked) when it is.', audience: DRIVERS, errors: driverAuth },
  'GET /api/v1/me/account-security': { summary: 'Account and security (账号与安全)', description: 'The login methods of the account: the phone (masked; SMS login always works), the bound WeChat (nickname, avatar, bound in web pages and/or the mini program, since when, last WeChat login) or null, whether the service offers WeChat login, and the latest 10 logins with method, time, whether still active and which one is this session.', audience: DRIVERS, errors: driverAuth },
  'DELETE /api/v1/me/wechat-binding': { summary: 'Unbind WeChat', description: 'Removes the account’s WeChat binding (web pages and mini program alike); SMS login stays and sessions already open are not ended. The WeChat can then be bound again, to this or another account. Answers 204.', audience: DRIVERS, errors: [...driverAuth, e(404, 'WECHAT_NOT_BOUND', 'the account has no WeChat bound')] },
  'GET /api/v1/me/export': { summary: 'Download my data', description: 'A copy of everything the service holds about the driver (PIPL Art. 45), as a zip: `my-data.json` (account with phone and consents, verified identity, real-name submissions, certificates, applications with their timelines, materials and vouchers, verification requests; the AccountExport schema) and the pictures the driver uploaded (ID card, materials, evidence). Built on each request and never cached (Cache-Control: private, no-store); the download is audited.', audience: DRIVERS, errors: driverAuth },
  'DELETE /api/v1/me': {
    summary: 'Close my account (注销账号)',
    description: 'Closes the account (PIPL Art. 47). Refused with 409 ACCOUNT_CLOSING_BLOCKED while an application is submitted and not finished, a verification request is unanswered or a real-name review is with a clerk (each listed in details.blocking: wait, or withdraw first). Otherwise, in one transaction: every session (all devices), the consents, the WeChat binding, the ID-card photos and real-name submissions are deleted, drafts are discarded with their uploads, and the account loses its phone and identity. What the office must keep (decided applications, vouchers, answered verification requests) stays with the now anonymous account; the answer counts it and the discarded drafts. An SMS confirms the closing to the former phone, which may register again later. Clears the cookie; audited.',
    audience: DRIVERS,
    errors: [...driverAuth, e(409, 'ACCOUNT_CLOSING_BLOCKED', 'an application, verification request or real-name review is still being handled (listed in details.blocking)')],
  },
  'GET /api/v1/dev/sms-outbox': { summary: 'SMS sent by the console provider (development only)', description: 'The codes the `console` SMS provider would have sent to a phone, for tests and local development. Absent in production and with a real SMS provider.', audience: 'developers and automated tests', errors: [invalid] },
  // ---- identity
  'GET /api/v1/identity/consents': { summary: 'Separate consents to sensitive information', description: 'The texts the driver agrees to separately (PIPL Art. 29) before real-name authentication: the ID card and, when the service uses a face check (`faceCheck`), the face — each with its current version, sections (what is collected, why, how long it is kept, what refusing means) and whether and when the driver agreed to that version. A new version must be agreed to again.', audience: DRIVERS, errors: driverAuth },
  'POST /api/v1/identity/consents': {
    summary: 'Agree to a sensitive-information text',
    description: 'Records the driver’s agreement to the current version of one text (`key` id_card or face, `version` as shown); agreeing again changes nothing. Answers 201 with the list as GET does. Without the ID-card consent the ID-card upload and the real-name submission answer 403 SENSITIVE_CONSENT_REQUIRED, as does a submission that needs the face check without the face consent; refusing leaves the account as it is.',
    audience: DRIVERS,
    errors: [...driverAuth, invalid, e(422, 'CONSENT_OUTDATED', 'the version is not the current one of the text (details name it)')],
  },
  'POST /api/v1/identity/id-card-ocr': { summary: 'Read an ID-card photo', description: 'Stores the photo of the ID card (portrait side or, where the province asks, the emblem side) encrypted and reads its fields offline on the server; answers the reading for the driver to check and a photo id for the submission.', audience: DRIVERS, errors: [...driverAuth, ...upload, sensitiveConsent, e(429, 'OCR_RATE_LIMITED', 'too many card readings by this account this hour'), e(409, 'ALREADY_VERIFIED', 'the account is already verified')] },
  'GET /api/v1/identity/real-name': { summary: 'Real-name status', description: 'Where the account’s real-name authentication stands: not started, waiting for the face check or a clerk, verified, rejected (with reasons).', audience: DRIVERS, errors: driverAuth },
  'POST /api/v1/identity/verification': {
    summary: 'Submit real-name authentication',
    description: 'Binds the identity the photo showed when the ID number is valid (GB 11643 check digit, birth date, region), the identity service confirms it, and nothing was corrected against a confident reading; otherwise it goes to the province’s review queue or to the face check. Answers the outcome and how many registry certificates were found.',
    audience: DRIVERS,
    errors: [...driverAuth, invalid, sensitiveConsent, e(422, 'ID_CHECKSUM', 'the ID number’s check digit is wrong'), e(422, 'ID_REGION', 'unknown region code'), e(422, 'PHOTO_NOT_FOUND', 'no such photo of this account'), e(422, 'PHOTO_EXPIRED', 'the photo is older than 30 minutes'), e(422, 'PHOTO_USED_BY_ANOTHER_ACCOUNT', 'the same picture served another account'), e(422, 'ID_CARD_BACK_REQUIRED', 'the province asks for the emblem side too'), e(422, 'ID_CARD_EXPIRED', 'the ID card has expired'), e(409, 'ID_ALREADY_BOUND', 'the ID number is bound to another account'), e(409, 'REAL_NAME_PENDING', 'a submission is waiting for review'), e(503, 'IDENTITY_CHECK_UNAVAILABLE', 'the identity service does not answer')],
  },
  'POST /api/v1/identity/face-check': { summary: 'Finish the face check', description: 'After the identity provider’s face check with liveness, asks the provider for the result and binds the identity when it passed.', audience: DRIVERS, errors: [...driverAuth, e(404, 'FACE_CHECK_NOT_FOUND', 'no face check under way'), e(409, 'FACE_CHECK_PENDING', 'the provider has no result yet'), e(422, 'FACE_CHECK_FAILED', 'the face check did not pass')] },
  // ---- certificates
  'GET /api/v1/me/certificates': { summary: 'My certificates', description: 'The registry certificates held under the verified ID number, with categories, validity and status (valid, renewal window, grace, expired, cancelled) and what each can be used for.', audience: DRIVERS, errors: [...driverAuth, realName] },
  'POST /api/v1/me/verification-requests/photos': { summary: 'Upload evidence for an information-verification request', description: 'Stores a photo supporting a request to correct the registry; answers its id.', audience: DRIVERS, errors: [...driverAuth, realName, ...upload] },
  'POST /api/v1/me/certificates/:id/verification-requests': { summary: 'File an information-verification request (信息核查申请)', description: 'Tells the original issuing authority that an item of the certificate is wrong and what it should be; the authority answers within 2 working days of acceptance.', audience: DRIVERS, errors: [...driverAuth, realName, invalid, e(404, 'CERTIFICATE_NOT_FOUND', 'not a certificate of this driver'), e(409, 'VERIFICATION_REQUEST_OPEN', 'a request about this certificate is still open')] },
  'GET /api/v1/me/verification-requests': { summary: 'My information-verification requests', description: 'The driver’s requests with their state, deadline and answer.', audience: DRIVERS, errors: [...driverAuth, realName] },
  // ---- applications
  'POST /api/v1/applications': { summary: 'Start an application (draft)', description: 'Opens a draft of a business on one of the driver’s certificates, prefilled from the account and certificate. Idempotent with an Idempotency-Key header; one open application per certificate and business.', audience: DRIVERS, errors: [...driverAuth, realName, invalid, e(404, 'CERTIFICATE_NOT_FOUND', 'not a certificate of this driver'), e(409, 'APPLICATION_ALREADY_OPEN', 'an application of this business on this certificate is open'), e(422, 'CERTIFICATE_NOT_VALID', 'the certificate is not valid for this business'), e(422, 'CERTIFICATE_EXPIRED', 'the certificate has expired'), e(422, 'CERTIFICATE_CANCELLED', 'the certificate is cancelled'), e(422, 'RENEWAL_NOT_OPEN', 'renewal opens 30 days before expiry'), e(422, 'OVER_AGE_LIMIT', 'the holder is past the category’s age limit'), e(422, 'NO_DRIVER_CATEGORY', 'a credit assessment needs a driver category'), e(422, 'IDEMPOTENCY_KEY_REUSED', 'the key was used for a different request')] },
  'GET /api/v1/applications': { summary: 'My Office (我的办件)', description: 'The driver’s applications, newest first, with state, deadlines and what to do next.', audience: DRIVERS, errors: [...driverAuth, invalid] },
  'GET /api/v1/applications/:id': { summary: 'One application', description: 'An application with its answers, materials, history (who did what when, with reasons) and deadlines.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound] },
  'PATCH /api/v1/applications/:id': { summary: 'Save answers of a draft', description: 'Saves the personal-information answers as the driver goes (drafts and returned applications); the name cannot be edited.', audience: DRIVERS, errors: [...driverAuth, invalid, applicationNotFound, stateChanged, e(422, 'NAME_NOT_EDITABLE', 'the name comes from the verified identity')] },
  'DELETE /api/v1/applications/:id': { summary: 'Discard a draft', description: 'Deletes a draft that was never submitted, with its uploads.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, stateChanged] },
  'PUT /api/v1/applications/:id/materials/:materialKey': { summary: 'Upload a material', description: 'Stores a picture for one material of the application, re-encoded without metadata, with a quality check (blur, size) the driver sees.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, stateChanged, e(404, 'MATERIAL_UNKNOWN', 'the business asks for no such material'), ...upload] },
  'DELETE /api/v1/applications/:id/materials/:materialKey': { summary: 'Remove a material', description: 'Removes an uploaded material from a draft or returned application.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, stateChanged, e(404, 'MATERIAL_NOT_UPLOADED', 'nothing uploaded for this material')] },
  'GET /api/v1/applications/:id/materials/:materialKey': { summary: 'A material’s picture', description: 'The stored picture of one material, to the driver who uploaded it.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, e(404, 'MATERIAL_NOT_UPLOADED', 'nothing uploaded for this material')] },
  'GET /api/v1/applications/:id/materials/:materialKey/thumbnail': { summary: 'A material’s thumbnail', description: 'A small copy of the material’s picture for lists.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, e(404, 'MATERIAL_NOT_UPLOADED', 'nothing uploaded for this material')] },
  'POST /api/v1/applications/:id/submit': { summary: 'Submit an application', description: 'Checks every answer and material at once (all missing items in one answer, 一次性告知) and submits; the acceptance deadline (2 working days) starts.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, stateChanged, e(422, 'APPLICATION_INCOMPLETE', 'answers or materials are missing (all listed in details)')] },
  'POST /api/v1/applications/:id/withdraw': { summary: 'Withdraw an application', description: 'Withdraws a submitted application that staff have not accepted yet.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, stateChanged] },
  'GET /api/v1/me/notifications': { summary: 'My notifications', description: 'What happened to the driver’s applications and requests (the same events as the SMS), newest first.', audience: DRIVERS, errors: driverAuth },
  // ---- vouchers
  'GET /api/v1/applications/:id/voucher': { summary: 'The credit-assessment voucher', description: 'The voucher (诚信考核凭证) of a rated credit assessment: rating, cycle, serial, validity and the signed token its QR carries.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, e(404, 'VOUCHER_NOT_FOUND', 'the application has no voucher')] },
  'GET /api/v1/applications/:id/voucher.png': { summary: 'Voucher as a PNG picture', description: 'The voucher as a picture to save to the phone’s album.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, e(404, 'VOUCHER_NOT_FOUND', 'the application has no voucher')] },
  'GET /api/v1/applications/:id/voucher.pdf': { summary: 'Voucher as a PDF', description: 'The voucher as a PDF to share or print.', audience: DRIVERS, errors: [...driverAuth, applicationNotFound, e(404, 'VOUCHER_NOT_FOUND', 'the application has no voucher')] },
  'GET /api/v1/me/certificates/:id/e-certificate': { summary: 'Electronic certificate', description: 'The certificate as an electronic certificate (JT/T 1290) with a signed QR that anyone can verify.', audience: DRIVERS, errors: [...driverAuth, realName, e(404, 'CERTIFICATE_NOT_FOUND', 'not a certificate of this driver'), e(422, 'CERTIFICATE_CANCELLED', 'every category is cancelled')] },
  'POST /api/v1/staff/vouchers/:serial/revoke': { summary: 'Revoke a voucher', description: 'Revokes a voucher issued in error, with the reason; verifiers see it as revoked from now on. Audited.', audience: STAFF, errors: [...staffAuth, invalid, e(404, 'VOUCHER_NOT_FOUND', 'no such voucher in the province'), e(409, 'VOUCHER_ALREADY_REVOKED', 'revoked already')] },
  'GET /api/v1/verify/*': { summary: 'Verify a voucher or e-certificate', description: 'Checks a token (from the QR) against the published keys and the status (revoked, superseded, expired) and answers what a verifier may see: masked holder, rating or categories, validity. Records the outcome only, nothing about who checked.', audience: PUBLIC, errors: [rateLimited] },
  'GET /.well-known/rto-keys.json': { summary: 'Public signing keys', description: 'The SM2 public keys that sign vouchers, e-certificates and exchange changes, active and retired, with the days each may have signed on; for offline verification.', audience: `${PUBLIC}; ${NATIONAL}`, errors: [] },
  'GET /.well-known/rto-status.json': {
    summary: 'Status list for offline verification',
    description: 'Which vouchers and e-certificates are revoked or superseded (an e-certificate with every category cancelled counts as revoked), as a bitstring signed with SM2 by the active signing key (see rto-keys.json): 2 bits per document at the `statusIndex` its token carries, gzip then base64url. The list is padded to a multiple of 131 072 entries, so downloading it does not tell which document is being checked. Re-signed when a status changes and at least hourly; after `nextUpdate` (24 hours after `issued`) it is stale: a set bit still counts, a clear one vouches for nothing. Carries an ETag (If-None-Match answers 304) and Cache-Control max-age=300.',
    audience: PUBLIC,
    errors: [],
  },
  // ---- staff
  'POST /api/v1/staff/sessions': { summary: 'Staff login', description: 'Username, password and the authenticator (TOTP) code; locks the account after repeated failures.', audience: 'staff console: every staff member', errors: [invalid, e(401, 'STAFF_LOGIN_FAILED', 'wrong username, password or code (not told which)'), e(429, 'STAFF_LOCKED', 'too many failures: locked for a while (Retry-After)'), rateLimited] },
  'DELETE /api/v1/staff/sessions/current': { summary: 'Staff logout', description: 'Ends the staff session on the server.', audience: 'staff console: every staff member', errors: [] },
  'GET /api/v1/staff/me': { summary: 'The logged-in staff member', description: 'Name, role, province and whether the authenticator must be enrolled again.', audience: 'staff console: every staff member', errors: staffAuth },
  'POST /api/v1/staff/me/totp/enrolment': { summary: 'Start enrolling an authenticator', description: 'Creates a new TOTP secret (shown once as a QR) to replace the current one once confirmed.', audience: 'staff console: every staff member', errors: staffAuth },
  'POST /api/v1/staff/me/totp/confirm': { summary: 'Confirm the new authenticator', description: 'A code from the new secret makes it the one used from now on.', audience: 'staff console: every staff member', errors: [...staffAuth, e(400, 'TOTP_CODE_INVALID', 'the code does not match'), e(409, 'TOTP_NO_PENDING_ENROLMENT', 'no enrolment was started')] },
  'GET /api/v1/staff/applications': { summary: 'Work queue', description: 'The province’s applications by running deadline (overdue and due today first), with tab counts, filters (state, business, overdue), search by reference or ID-number tail, and keyset paging.', audience: STAFF, errors: [...staffAuth, invalid, e(400, 'CURSOR_INVALID', 'not a cursor of this queue'), e(400, 'SEARCH_QUERY_INVALID', 'the search text is neither a reference nor an ID tail')] },
  'GET /api/v1/staff/applications/:id': { summary: 'Application for casework', description: 'An application of the province with the applicant (masked where the role needs no more), certificate, answers, materials, history, deadlines and the actions the staff member may take. The read is audited.', audience: STAFF, errors: [...staffAuth, applicationNotFound] },
  'GET /api/v1/staff/applications/:id/materials/:materialKey': { summary: 'A material for casework', description: 'The picture of one material; every view is audited.', audience: STAFF, errors: [...staffAuth, applicationNotFound, e(404, 'MATERIAL_NOT_UPLOADED', 'nothing uploaded for this material')] },
  'GET /api/v1/staff/applications/:id/materials/:materialKey/thumbnail': { summary: 'A material’s thumbnail for casework', description: 'A small copy of the material’s picture; audited.', audience: STAFF, errors: [...staffAuth, applicationNotFound, e(404, 'MATERIAL_NOT_UPLOADED', 'nothing uploaded for this material')] },
  'POST /api/v1/staff/applications/:id/actions': {
    summary: 'Act on an application',
    description: 'Accept, return for correction (all items at once), decline, approve (with the rating for a credit assessment), reject, mail or mark ready for pickup. One transaction holds the state change, the registry change, the voucher, the change for the ministerial feed, the driver’s notification and the audit row.',
    audience: STAFF,
    errors: [...staffAuth, invalid, applicationNotFound, stateChanged, e(403, 'STAFF_READ_ONLY', 'system admins may not act on applications'), e(403, 'ACTION_NOT_ALLOWED_FOR_ROLE', 'the role may not take this action'), e(400, 'REASON_REQUIRED', 'return, decline and reject need reason codes'), e(400, 'REASON_TEXT_REQUIRED', 'and a reason in words'), e(400, 'RATING_REQUIRED', 'approving a credit assessment needs the rating'), e(400, 'CARRIER_REQUIRED', 'mailing needs the carrier'), e(422, 'RENEWAL_NOT_OPEN', 'no category is within its renewal window')],
  },
  'GET /api/v1/staff/audit': { summary: 'Audit trail', description: 'Every read of an applicant’s data and every action in the province, newest first, filterable by staff member, event and target.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope] },
  'GET /api/v1/staff/verification-requests': { summary: 'Information-verification queue', description: 'The province’s information-verification requests by state and answer deadline.', audience: STAFF, errors: [...staffAuth, invalid] },
  'GET /api/v1/staff/verification-requests/:id': { summary: 'One information-verification request', description: 'The request with the registry’s current value, the driver’s expected value, evidence and deadline.', audience: STAFF, errors: [...staffAuth, e(404, 'VERIFICATION_REQUEST_NOT_FOUND', 'no such request in the province')] },
  'POST /api/v1/staff/verification-requests/:id/accept': { summary: 'Accept an information-verification request', description: 'Accepts the request; the 2-working-day answer deadline starts. Audited.', audience: STAFF, errors: [...staffAuth, e(404, 'VERIFICATION_REQUEST_NOT_FOUND', 'no such request in the province'), e(409, 'VERIFICATION_REQUEST_STATE', 'not in a state that can be accepted')] },
  'POST /api/v1/staff/verification-requests/:id/answer': { summary: 'Answer an information-verification request', description: 'Corrects the registry (in the same transaction) or explains why the record stands; the driver is told by SMS and the answer enters the ministerial feed.', audience: STAFF, errors: [...staffAuth, invalid, e(404, 'VERIFICATION_REQUEST_NOT_FOUND', 'no such request in the province'), e(409, 'VERIFICATION_REQUEST_STATE', 'answered already'), e(400, 'CORRECTION_REQUIRED', 'a correction needs the item and its new value'), e(400, 'CORRECTION_INVALID', 'the new value breaks the registry’s rules'), e(409, 'CERTIFICATE_NUMBER_TAKEN', 'another certificate has this number'), e(422, 'AUTHORITY_NOT_IN_PROVINCE', 'the authority is not one of the province')] },
  'GET /api/v1/staff/real-name-reviews': { summary: 'Real-name review queue', description: 'Real-name submissions the photo, registry and identity service did not settle, by deadline.', audience: STAFF, errors: [...staffAuth, invalid] },
  'GET /api/v1/staff/real-name-reviews/:id': { summary: 'One real-name review', description: 'What the photo showed, what was typed, what differs, the registry and identity-service results. The read is audited.', audience: STAFF, errors: [...staffAuth, e(404, 'REAL_NAME_REVIEW_NOT_FOUND', 'no such review in the province')] },
  'GET /api/v1/staff/real-name-reviews/:id/photos/:side': { summary: 'A real-name review’s ID-card photo', description: 'The ID-card photo of the submission (decrypted for this view only); audited.', audience: STAFF, errors: [...staffAuth, e(404, 'REAL_NAME_REVIEW_NOT_FOUND', 'no such review in the province')] },
  'POST /api/v1/staff/real-name-reviews/:id/approve': { summary: 'Approve a real-name submission', description: 'Binds the identity to the account; the driver is told and sees the certificates. Audited.', audience: STAFF, errors: [...staffAuth, e(404, 'REAL_NAME_REVIEW_NOT_FOUND', 'no such review in the province'), e(409, 'STATE_CHANGED', 'decided already'), e(409, 'ID_ALREADY_BOUND', 'the ID number was bound to another account meanwhile')] },
  'POST /api/v1/staff/real-name-reviews/:id/reject': { summary: 'Reject a real-name submission', description: 'Refuses the binding with reasons the driver sees. Audited.', audience: STAFF, errors: [...staffAuth, invalid, e(404, 'REAL_NAME_REVIEW_NOT_FOUND', 'no such review in the province'), e(409, 'STATE_CHANGED', 'decided already')] },
  // ---- province admin
  'GET /api/v1/staff/sla': { summary: 'Deadline overview', description: 'Open, overdue and due-today work per business and state, and how long acceptance and decisions took.', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'GET /api/v1/staff/admin/calendar': { summary: 'Working-day calendar', description: 'The State Council calendar for a year with the province’s and the nationwide overrides, and whether official data exists for the year.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope] },
  'POST /api/v1/staff/admin/calendar/overrides': { summary: 'Add a working-day override', description: 'Makes a day a working day or a holiday for the province; open deadlines are recomputed. Audited.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope, e(409, 'CALENDAR_OVERRIDE_EXISTS', 'the day has an override already')] },
  'DELETE /api/v1/staff/admin/calendar/overrides/:id': { summary: 'Remove a working-day override', description: 'Removes an override; open deadlines are recomputed. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'CALENDAR_OVERRIDE_NOT_FOUND', 'no such override in the province')] },
  'GET /api/v1/staff/admin/contacts': { summary: 'The province’s contacts', description: 'The business managers drivers see under Contact us, in their order.', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'POST /api/v1/staff/admin/contacts': { summary: 'Add a contact', description: 'Adds a business manager (Chinese, optionally English). Audited.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope] },
  'PATCH /api/v1/staff/admin/contacts/:id': { summary: 'Edit a contact', description: 'Changes a contact’s fields. Audited.', audience: ADMINS, errors: [...staffAuth, invalid, e(404, 'CONTACT_NOT_FOUND', 'no such contact in the province')] },
  'DELETE /api/v1/staff/admin/contacts/:id': { summary: 'Remove a contact', description: 'Removes a contact. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'CONTACT_NOT_FOUND', 'no such contact in the province')] },
  'PUT /api/v1/staff/admin/contacts/order': { summary: 'Reorder contacts', description: 'Sets the order drivers see the contacts in; the list must name every contact once.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope, e(400, 'CONTACT_ORDER_MISMATCH', 'the list does not name every contact exactly once')] },
  'GET /api/v1/staff/admin/materials': { summary: 'Materials of every business', description: 'The materials each business asks for in the province: defaults and the province’s changes.', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'GET /api/v1/staff/admin/materials/:business': { summary: 'Materials of one business', description: 'The materials of a business (and variant) with the province’s changes.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope, e(400, 'UNKNOWN_VARIANT', 'the business has no such variant')] },
  'PUT /api/v1/staff/admin/materials/:business': { summary: 'Change the materials of a business', description: 'Adds, removes or rewords materials for the province; drafts already opened keep theirs. Audited.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope, e(400, 'UNKNOWN_VARIANT', 'the business has no such variant')] },
  'GET /api/v1/staff/admin/staff': { summary: 'Staff accounts', description: 'The province’s handlers, reviewers and admins with their state (active, locked, disabled).', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'POST /api/v1/staff/admin/staff': { summary: 'Create a staff account', description: 'Creates an account with an initial password and authenticator secret, shown once. Audited.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope, e(409, 'USERNAME_TAKEN', 'the username exists')] },
  'POST /api/v1/staff/admin/staff/:id/disable': { summary: 'Disable a staff account', description: 'Ends the account’s sessions and refuses its logins. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'STAFF_NOT_FOUND', 'no such account in the province'), e(422, 'CANNOT_DISABLE_SELF', 'an admin cannot disable their own account')] },
  'POST /api/v1/staff/admin/staff/:id/enable': { summary: 'Enable a staff account', description: 'Allows a disabled account to log in again. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'STAFF_NOT_FOUND', 'no such account in the province')] },
  'POST /api/v1/staff/admin/staff/:id/reset-password': { summary: 'Reset a staff password', description: 'Sets a new initial password (shown once) and ends the account’s sessions. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'STAFF_NOT_FOUND', 'no such account in the province')] },
  'POST /api/v1/staff/admin/staff/:id/reset-totp': { summary: 'Reset a staff authenticator', description: 'Issues a new authenticator secret (shown once) and ends the account’s sessions. Audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'STAFF_NOT_FOUND', 'no such account in the province')] },
  'GET /api/v1/staff/admin/identity-settings': { summary: 'Real-name settings', description: 'Whether the province asks for the emblem side of the ID card at real-name authentication.', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'PUT /api/v1/staff/admin/identity-settings': { summary: 'Change the real-name settings', description: 'Turns the emblem-side requirement on or off for the province. Audited.', audience: ADMINS, errors: [...staffAuth, invalid, ...adminScope] },
  'GET /api/v1/staff/admin/registry': { summary: 'Registry import and exchange partners', description: 'The province’s last registry import (rows new, updated, unchanged, refused), the exchange partners that may read the province with their last pull (keys are never shown), and the latest verification requests and corrections partners sent.', audience: ADMINS, errors: [...staffAuth, ...adminScope] },
  'GET /api/v1/staff/admin/registry/imports/:id/refused.csv': { summary: 'Refused rows of an import', description: 'The report of the rows an import refused (row, column, code, message in Chinese) as CSV. The download is audited.', audience: ADMINS, errors: [...staffAuth, e(404, 'IMPORT_NOT_FOUND', 'no such import of the province, or it refused no row')] },
  // ---- exchange
  'GET /api/exchange/v1/changes': { summary: 'Change feed', description: 'The province’s decisions after the cursor, oldest first, each with a stable id and an SM2 signature over its canonical JSON (docs/exchange.md). Safe to ask again with the same cursor.', audience: NATIONAL, errors: [...exchangeAuth, invalid, e(400, 'CURSOR_INVALID', 'not a cursor this feed handed out')] },
  'POST /api/exchange/v1/verification-requests': { summary: 'Send an information-verification request', description: 'Asks the issuing province to check a registry item; answered later through the feed as verification.answered. Idempotent by externalId (202 first, 200 after).', audience: NATIONAL, errors: [...exchangeAuth, invalid, e(404, 'CERTIFICATE_NOT_FOUND', 'no such certificate in the key’s provinces')] },
  'POST /api/exchange/v1/registry-corrections': { summary: 'Send a registry correction', description: 'Tells the issuing province a registry item should change; kept for the province (shown in its settings) to apply. Idempotent by externalId (202 first, 200 after).', audience: NATIONAL, errors: [...exchangeAuth, invalid, e(404, 'CERTIFICATE_NOT_FOUND', 'no such certificate in the key’s provinces')] },
};
