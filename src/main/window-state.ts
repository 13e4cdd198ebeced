// Where the desktop window opens: the size and place it was left at, if that still lies on a screen.
import type { WindowBounds } from '../shared/settings'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export const DEFAULT_WINDOW = { width: 1280, height: 800 }

/** The saved bounds, unless no screen shows enough of them (a monitor unplugged since): then the default size, centred. */
export function initialBounds(
  saved: WindowBounds | null,
  workAreas: readonly Rect[],
): { x?: number; y?: number; width: number; height: number } {
  if (!saved) return { ...DEFAULT_WINDOW }
  const size = { width: Math.round(saved.width), height: Math.round(saved.height) }
  if (saved.x === null || saved.y === null) return size
  const { x, y } = saved
  // At least 100 x 50 px of the title bar area on some screen, so the window can be grabbed.
  const visible = workAreas.some(
    (a) => x + 100 <= a.x + a.width && x + size.width - 100 >= a.x && y >= a.y - 10 && y + 50 <= a.y + a.height,
  )
  return visible ? { x: Math.round(x), y: Math.round(y), ...size } : size
}
