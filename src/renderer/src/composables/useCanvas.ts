// A canvas sized to its CSS box at the device pixel ratio; `draw` runs on resize and on demand. Cleans up on scope dispose.
import { onMounted, onScopeDispose, type Ref } from 'vue'

export interface UseCanvasOptions {
  draw: (ctx: CanvasRenderingContext2D, width: number, height: number) => void
  /** Fixed CSS size; when absent the canvas follows its box through a ResizeObserver. */
  width?: number
  height?: number
}

/** A chart's painting, and what it shows besides its size: ChartCanvas redraws when anything `redrawOn` reads changes. */
export interface Drawing {
  draw: UseCanvasOptions['draw']
  redrawOn: () => unknown
}

export function useCanvas(target: Ref<HTMLCanvasElement | null>, options: UseCanvasOptions): { redraw: () => void } {
  let width = options.width ?? 0
  let height = options.height ?? 0
  let observer: ResizeObserver | null = null

  const size = (w: number, h: number): void => {
    const el = target.value
    if (!el) return
    const dpr = window.devicePixelRatio || 1
    width = w
    height = h
    el.width = Math.max(1, Math.round(w * dpr))
    el.height = Math.max(1, Math.round(h * dpr))
    el.getContext('2d')?.setTransform(dpr, 0, 0, dpr, 0, 0)
  }

  const redraw = (): void => {
    const ctx = target.value?.getContext('2d')
    if (!ctx || width <= 0 || height <= 0) return
    ctx.clearRect(0, 0, width, height)
    options.draw(ctx, width, height)
  }

  onMounted(() => {
    const el = target.value
    if (!el) return
    if (options.width !== undefined && options.height !== undefined) {
      size(options.width, options.height)
      redraw()
      return
    }
    observer = new ResizeObserver(([entry]) => {
      const box = entry.contentRect
      size(box.width, box.height)
      redraw()
    })
    observer.observe(el)
  })

  onScopeDispose(() => {
    observer?.disconnect()
    observer = null
  })

  return { redraw }
}
