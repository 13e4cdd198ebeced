// Renderer entry: Pinia, the app, and the connection to the lab.
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './styles.css'

createApp(App).use(createPinia()).mount('#app')
