// Loads the WebAssembly app. Kept as a file so the Content-Security-Policy can forbid inline scripts.
import init from "./bounce-explainer.js";
init();
