/** `html` tagged templates bound to preact (htm: no compiler, no JSX). */
import { h } from "preact";
import htm from "htm";

/** Write components as `html\`<div>${x}</div>\``. */
export const html = htm.bind(h);
