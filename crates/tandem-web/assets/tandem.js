// Starts GOV.UK Frontend's components. It lives in a file rather than inline
// because the content security policy allows scripts from Tandem itself only.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
