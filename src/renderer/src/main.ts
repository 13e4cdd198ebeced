// Renderer entry: Pinia, the app, and the connection to the lab.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { applyThemeChoice } from './composables/useTheme'
import './styles.css'

// The OS's light or dark until the remembered choice arrives with the settings.
applyThemeChoice('system')
createApp(App).use(createPinia()).mount('#app')
