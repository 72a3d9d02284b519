// Small DOM helpers. Text from the server is only ever set as text (textContent), never as
// markup, so nothing a case holds can run in the page.

/** An element: h("div.card.urgent", {onclick, hidden: true, "aria-label": "…"}, "text", child) */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name in el && typeof value !== "string") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let toastTimer = null;

/** A short message at the bottom of the screen; `kind`: "ok" | "error" | "". */
export function toast(text, kind = "") {
  const el = document.getElementById("toast");
  el.textContent = text;
  el.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.className = "toast";
  }, kind === "error" ? 6000 : 3500);
}

/** Photo thumbnails from Blobs; the object URLs are released when the image has loaded. */
export function thumb(blob, alt = "") {
  const url = URL.createObjectURL(blob);
  const img = h("img.thumb", { src: url, alt, decoding: "async" });
  img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
  return img;
}

/** An SVG icon from one path (24×24 view box), coloured by the text colour. */
export function icon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", path);
  svg.append(p);
  return svg;
}
