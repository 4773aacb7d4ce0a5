// The separate consents to sensitive personal information: loaded with the real-name step.
import { addMessages } from '../i18n.ts';
import { consentMessages } from '../messages/consent.ts';

addMessages(consentMessages);
