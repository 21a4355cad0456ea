// Starts GOV.UK Frontend and MoJ Frontend components. Loaded as a module, which browsers
// too old for the components never run, so those get the plain HTML pages that work without it.
import { initAll as initGovuk } from "./govuk-frontend.min.js";
import { initAll as initMoj } from "./moj-frontend.min.js";

// GOV.UK's own template sets these classes with an inline script, which our CSP forbids.
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initGovuk();
initMoj();
