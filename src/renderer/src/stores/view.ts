// Which view the window shows: a plain reactive switch, no router.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type ViewName = 'monitor' | 'scenarios' | 'compare' | 'programs' | 'sessions'

export const VIEWS: readonly { name: ViewName; title: string }[] = [
  { name: 'monitor', title: 'Monitor' },
  { name: 'scenarios', title: 'Scenarios' },
  { name: 'compare', title: 'Compare' },
  { name: 'programs', title: 'Programs' },
  { name: 'sessions', title: 'Sessions' },
]

export const useViewStore = defineStore('view', () => {
  const current = ref<ViewName>('monitor')
  function show(name: ViewName): void {
    current.value = name
  }
  return { current, show }
})
