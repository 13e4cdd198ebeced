// Which rows of a fixed-row-height list are in view (plus a margin), so only those are in the DOM. Cleans up on scope dispose.
import { computed, onMounted, onScopeDispose, ref, type ComputedRef, type Ref } from 'vue'

export interface UseVirtualRowsOptions {
  rowHeight: number
  /** Height above the first row inside the scroller (a sticky header). */
  offset?: number
  /** Rows rendered beyond each edge of the view. */
  overscan?: number
}

export interface VirtualRows {
  first: ComputedRef<number>
  last: ComputedRef<number>
  /** Scrolls the least needed to show row `index`. */
  reveal(index: number): void
}

export function useVirtualRows(
  scroller: Ref<HTMLElement | null>,
  count: Ref<number>,
  options: UseVirtualRowsOptions,
): VirtualRows {
  const { rowHeight, offset = 0, overscan = 6 } = options
  const top = ref(0)
  const height = ref(800)
  let frame = 0
  let observer: ResizeObserver | null = null

  const onScroll = (): void => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      top.value = scroller.value?.scrollTop ?? 0
    })
  }

  onMounted(() => {
    const el = scroller.value
    if (!el) return
    el.addEventListener('scroll', onScroll, { passive: true })
    observer = new ResizeObserver(([entry]) => (height.value = entry.contentRect.height))
    observer.observe(el)
  })

  onScopeDispose(() => {
    scroller.value?.removeEventListener('scroll', onScroll)
    observer?.disconnect()
    if (frame) cancelAnimationFrame(frame)
  })

  const first = computed(() => Math.max(0, Math.floor((top.value - offset) / rowHeight) - overscan))
  const last = computed(() => Math.min(count.value, Math.ceil((top.value + height.value) / rowHeight) + overscan))

  function reveal(index: number): void {
    const el = scroller.value
    if (!el || index < 0) return
    const y = offset + index * rowHeight
    if (y - offset < el.scrollTop) el.scrollTop = y - offset
    else if (y + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = y + rowHeight - el.clientHeight
    top.value = el.scrollTop
  }

  return { first, last, reveal }
}
