// Which view the window shows (a plain reactive switch, no router), and one-shot requests a view carries out when shown.
import { defineStore } from 'pinia'
import { reactive, ref } from 'vue'
import { VIEW_COMMANDS } from '../../../shared/commands'

export type ViewName = (typeof VIEW_COMMANDS)[number]['view']

export const VIEWS: readonly { name: ViewName; title: string }[] = VIEW_COMMANDS.map((v) => ({
  name: v.view,
  title: v.label,
}))

export function isViewName(name: string): name is ViewName {
  return VIEWS.some((v) => v.name === name)
}

/** Things a command asks a view to do (focus the filter, open the Open dialog); pending until the view takes it. */
export type ViewRequest = 'filter' | 'open-program' | 'open-recording'

export const useViewStore = defineStore('view', () => {
  const current = ref<ViewName>('monitor')
  const requests = reactive<Record<ViewRequest, boolean>>({
    filter: false,
    'open-program': false,
    'open-recording': false,
  })
  function show(name: ViewName): void {
    current.value = name
  }
  function request(what: ViewRequest): void {
    requests[what] = true
  }
  /** The view that carries a request out takes it (true if there was one). */
  function take(what: ViewRequest): boolean {
    const was = requests[what]
    requests[what] = false
    return was
  }
  return { current, requests, show, request, take }
})
