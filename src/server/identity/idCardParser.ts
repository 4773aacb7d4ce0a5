/**
 * The server's entry to the ID-card reading rules, which are pure and live in src/domain: idCardText.ts
 * (labels, names, dates, the ID number as OCR gets them wrong) and idCardLayout.ts (where each field sits
 * on the card, and the cross-checks).
 */
export {
  readIdCardBack,
  readIdCardFront as parseIdCardLines,
  type BackReading,
  type FieldDoubt,
  type FrontReading,
  type IdCardBackField,
  type IdCardBackFields,
} from '../../domain/idCardLayout.ts';
export { findIdNumber, type IdCardField, type IdCardFields, type OcrLine } from '../../domain/idCardText.ts';
