// Mounts the component. With the plugin on, the page records itself and the Vite dev server
// writes trace-out/<page session>/.
import { createApp } from "vue";
import App from "./App.vue";

createApp(App).mount("#app");
