// Stands in for sanitize-html in the bundle: coopkit's widget manager shows HTML
// descriptions as plain text (manager.js, inline_sanitize), so the sanitiser, with its
// HTML and CSS parsers (~230 kB), is never called and never sent to a phone.
export default function sanitize(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
