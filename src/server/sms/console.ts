import { renderSmsText } from './templates.ts';
import { maskPhone, type SmsLogger, type SmsMessage, type SmsProvider, type SmsTemplate } from './types.ts';

export interface SmsOutboxEntry {
  phone: string;
  template: SmsTemplate;
  params: Record<string, string>;
  /** The text as the phone would show it. */
  text: string;
  sentAt: Date;
}

/**
 * Development provider: sends nothing, logs the message (with a masked phone) and keeps the last
 * messages in memory so developers and tests can read the code.
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';
  readonly #logger: SmsLogger;
  readonly #capacity: number;
  readonly #now: () => Date;
  #entries: SmsOutboxEntry[] = [];

  constructor(logger: SmsLogger, options: { capacity?: number; now?: () => Date } = {}) {
    this.#logger = logger;
    this.#capacity = options.capacity ?? 200;
    this.#now = options.now ?? (() => new Date());
  }

  async send(message: SmsMessage): Promise<void> {
    const entry: SmsOutboxEntry = {
      phone: message.phone,
      template: message.template,
      params: { ...message.params },
      text: renderSmsText(message.template, message.params),
      sentAt: this.#now(),
    };
    this.#entries.push(entry);
    if (this.#entries.length > this.#capacity) this.#entries = this.#entries.slice(-this.#capacity);
    this.#logger.info(
      { sms: { provider: this.name, phone: maskPhone(message.phone), template: message.template, text: entry.text } },
      'SMS not sent (console provider): kept in the development outbox',
    );
  }

  /** Messages sent to `phone`, newest first. */
  outbox(phone: string): SmsOutboxEntry[] {
    return this.#entries
      .filter((entry) => entry.phone === phone)
      .reverse()
      .map((entry) => ({ ...entry, params: { ...entry.params } }));
  }
}
