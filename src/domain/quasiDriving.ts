/** Quasi-driving types (准驾车型) of the motor vehicle driving licence (公安部令第162号). */

export const QUASI_DRIVING_TYPES = ['A1', 'A2', 'A3', 'B1', 'B2', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'D', 'E', 'F', 'M', 'N', 'P'] as const;

export type QuasiDrivingType = (typeof QUASI_DRIVING_TYPES)[number];

export const QUASI_DRIVING_TYPE_LABELS: Record<QuasiDrivingType, { zh: string; en: string }> = {
  A1: { zh: '大型客车', en: 'Large bus' },
  A2: { zh: '重型牵引挂车', en: 'Heavy tractor-trailer' },
  A3: { zh: '城市公交车', en: 'City bus' },
  B1: { zh: '中型客车', en: 'Medium bus' },
  B2: { zh: '大型货车', en: 'Large truck' },
  C1: { zh: '小型汽车', en: 'Small car' },
  C2: { zh: '小型自动挡汽车', en: 'Small automatic car' },
  C3: { zh: '低速载货汽车', en: 'Low-speed truck' },
  C4: { zh: '三轮汽车', en: 'Three-wheeled vehicle' },
  C5: { zh: '残疾人专用小型自动挡载客汽车', en: 'Small automatic car adapted for disabled drivers' },
  C6: { zh: '轻型牵引挂车', en: 'Light tractor-trailer' },
  D: { zh: '普通三轮摩托车', en: 'Three-wheeled motorcycle' },
  E: { zh: '普通二轮摩托车', en: 'Two-wheeled motorcycle' },
  F: { zh: '轻便摩托车', en: 'Moped' },
  M: { zh: '轮式专用机械车', en: 'Wheeled special machinery' },
  N: { zh: '无轨电车', en: 'Trolleybus' },
  P: { zh: '有轨电车', en: 'Tram' },
};

export function isQuasiDrivingType(value: unknown): value is QuasiDrivingType {
  return typeof value === 'string' && (QUASI_DRIVING_TYPES as readonly string[]).includes(value);
}
