// Unit names used by the tutorial ("khanh", "ai"), then more in the same spirit.
const NAMES = [
  'khanh',
  'ai',
  'binh',
  'chi',
  'dung',
  'giang',
  'hai',
  'lan',
  'minh',
  'nga',
  'phuong',
  'quang',
  'son',
  'thu',
  'uyen',
  'vy',
]

export function unitName(i: number): string {
  return NAMES[i] ?? `unit ${i + 1}`
}
