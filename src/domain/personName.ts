/** People's names as shown to others: masked, so a QR code or queue row does not give a whole name away. */

/** 张三 → 张*, 王建国 → 王*国, 阿卜杜·热合曼 → 阿*****曼. Counts characters, not UTF-16 units. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
