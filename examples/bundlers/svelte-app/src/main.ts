// Mounts the component. With the plugin on, the page records itself and the Vite dev server
// writes trace-out/<page session>/.
import { mount } from "svelte";
import App from "./App.svelte";

mount(App, { target: document.querySelector("#app")! });
