// Runs `fn` when a command asks this view for `what` (focus the filter, open a dialog), also when the command just switched here.
import { nextTick, onMounted, watch } from 'vue'
import { useViewStore, type ViewRequest } from '../stores/view'

export function useViewRequest(what: ViewRequest, fn: () => void): void {
  const view = useViewStore()
  const check = (): void => {
    if (view.take(what)) void nextTick(fn)
  }
  watch(() => view.requests[what], check)
  onMounted(check)
}
