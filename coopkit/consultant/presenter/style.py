"""The presenter's look and the two things widgets cannot do: the keyboard and full
screen.

:data:`STYLESHEET` sizes everything from one unit, ``--u``: 1 % of the height of the
largest 16:9 picture the window holds. A screen laid out for a 1280×720 projector is
then the same picture, larger, at 1920×1080 (and fits a 16:10 or 4:3 one), and never
scrolls: the presenter covers the window (``position: fixed``) and each screen keeps to
the height it is given. Type is large (the body text of a screen is about 3.4 % of the
window's height, like 24 pt on a slide). :data:`KEYS_JS` is the page script (a
constant: no data of anyone's goes into it). :func:`qr_svg` draws a QR code as SVG,
sharp at any size. Knows nothing of the store or of the analysis.
"""

from __future__ import annotations

import re

#: The stylesheet as written: ``2.6u`` is 2.6 units (see :func:`units`).
_CSS = """
.coopkit-presenter {
  --cp-accent: #1f5f99; --cp-muted: #444; --cp-line: #d0d7de; --cp-warm: #b4531f;
  --cp-prompt: #fff4d6; --cp-prompt-edge: #b27b00;
  /* 1 % of the height of a 16:9 picture that fits the window */
  --u: min(1vh, 0.5625vw);
  position: fixed; inset: 0; z-index: 1000; background: #fff; color: #141414;
  display: flex; flex-direction: column; box-sizing: border-box; overflow: hidden;
  padding: 1.4u 2vw 1u; gap: 1u;
  font-family: "DejaVu Sans", system-ui, "Segoe UI", Roboto, Arial, sans-serif;
  font-size: 2.6u; line-height: 1.25;
}
.coopkit-presenter * { box-sizing: border-box; }
.coopkit-presenter .widget-html, .coopkit-presenter .jupyter-widget-html,
.coopkit-presenter .widget-html-content, .coopkit-presenter .jupyter-widget-html-content {
  font-size: inherit; line-height: inherit; height: auto; margin: 0; white-space: normal;
  overflow: visible; }
.coopkit-presenter .widget-box, .coopkit-presenter .jupyter-widget-box { min-height: 0; }
.coopkit-present-top { flex: none; align-items: center; gap: 2vw; }
.coopkit-present-title { flex: 1 1 auto; min-width: 0; }
.coopkit-present-title h1 { font-size: 5.2u; line-height: 1.1; margin: 0; color: #0b2e4f; }
.coopkit-present-title p { margin: .3u 0 0; font-size: 2.3u; color: var(--cp-muted); }
.coopkit-present-corner { flex: none; }
.coopkit-present-corner .cp-corner { display: flex; align-items: center; gap: 1.2vw; }
.coopkit-present-corner svg { width: 12u; height: 12u; display: block; }
.cp-corner-text { text-align: right; }
.cp-corner-code { font-size: 4.2u; font-weight: 700; letter-spacing: .12em;
  color: #0b2e4f; }
.cp-corner-url { font-size: 2.2u; color: var(--cp-muted); }
.coopkit-present-main { flex: 1 1 0; min-height: 0; overflow: hidden;
  display: flex; flex-direction: column; }
.coopkit-present-screen { flex: 1 1 0; min-height: 0; overflow: hidden;
  display: flex; flex-direction: column; }
.coopkit-present-body { flex: 1 1 0; min-height: 0; overflow: hidden; }
.coopkit-present-body > .widget-html-content,
.coopkit-present-body > .jupyter-widget-html-content { height: 100%; }
.cp-chart { flex: 1 1 0; min-height: 0; width: 100%; object-fit: contain; }
.cp-screen { height: 100%; overflow: hidden; display: flex; flex-direction: column;
  gap: 1.6u; }
.cp-note { font-size: 2.3u; color: var(--cp-muted); margin: 0; }
.cp-page { font-size: 2.3u; color: var(--cp-muted); margin: 0; text-align: right; }
.cp-centre { flex: 1; display: flex; flex-direction: column; align-items: center;
  justify-content: center; text-align: center; gap: 2u; }
.cp-centre .cp-big { font-size: 5u; font-weight: 700; color: #0b2e4f; }
.cp-centre .cp-mid { font-size: 3.4u; }
.cp-centre .cp-small { font-size: 2.6u; color: var(--cp-muted); max-width: 80vw; }
.cp-hidden-box { border: .4u dashed var(--cp-line); border-radius: 2u;
  padding: 4u 6vw; }
/* welcome */
.cp-screen-welcome { flex-direction: row; gap: 4vw; align-items: stretch; }
.cp-join { flex: 0 0 auto; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: 1.2u; }
.cp-join svg { height: 52u; width: 52u; display: block; }
.cp-join-url { font-size: 3u; font-weight: 600; }
.cp-join-code { font-size: 3u; }
.cp-join-code b { font-size: 6.6u; letter-spacing: .14em; color: #0b2e4f; }
.cp-counts { flex: 1 1 auto; min-width: 0; display: flex; flex-direction: column;
  justify-content: center; gap: 1.6u; }
.cp-totals { display: flex; gap: 3vw; }
.cp-total { display: flex; flex-direction: column; }
.cp-total b { font-size: 9u; line-height: 1; color: #0b2e4f; }
.cp-total span { font-size: 2.6u; color: var(--cp-muted); }
table.cp-table { border-collapse: collapse; width: 100%; font-size: var(--cp-row, 2.8u); }
table.cp-table th, table.cp-table td { padding: .5u 1vw; text-align: left;
  border-bottom: .15u solid var(--cp-line); }
table.cp-table td.cp-num, table.cp-table th.cp-num { text-align: right;
  font-variant-numeric: tabular-nums; }
/* feelings map */
table.cp-map { border-collapse: separate; border-spacing: .4u; width: 100%;
  table-layout: fixed; font-size: var(--cp-row, 3u); }
table.cp-map th { font-weight: 600; text-align: center; padding: .2u .3vw;
  font-size: 2.1u; line-height: 1.15; }
table.cp-map th.cp-group { text-align: left; width: 23%; font-size: var(--cp-label, 2.1u);
  line-height: 1.1; }
table.cp-map th.cp-theme { color: #0b2e4f; border-bottom: .3u solid #0b2e4f; }
/* twelve columns with trust: the feeling's name fits its column (« Tentations »,
   « Confiance » side by side at 1280 px), never running into the next one */
table.cp-map th.cp-feeling { font-size: 1.6u; padding: .2u 0; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
table.cp-map td { text-align: center; font-weight: 700; padding: .2u 0;
  height: var(--cp-cell, 6u); border-radius: .6u; }
table.cp-map td.cp-masked { background: repeating-linear-gradient(45deg, #e0e0e0 0,
  #e0e0e0 .6u, #b8b8b8 .6u, #b8b8b8 .9u); color: #111; font-weight: 600;
  font-size: .8em; }
table.cp-map td.cp-empty { background: #fff; color: #555; border: .2u solid #ccc; }
.cp-legend { display: flex; align-items: center; gap: 1vw; font-size: 2.2u;
  color: var(--cp-muted); flex-wrap: wrap; }
.cp-scale { display: inline-block; width: 18vw; height: 2u; border-radius: .4u;
  background: linear-gradient(90deg, #00224e, #575c6d, #a59c74, #fee838); }
.cp-swatch { display: inline-block; width: 3u; height: 2u; border-radius: .4u;
  background: repeating-linear-gradient(45deg, #e0e0e0 0, #e0e0e0 .4u,
  #b8b8b8 .4u, #b8b8b8 .6u); }
/* lists of statements, gaps, texts, proposals */
ol.cp-list, ul.cp-list { margin: 0; padding: 0; list-style: none; display: flex;
  flex-direction: column; gap: 2.2u; }
.cp-list li { display: flex; gap: 1.4vw; align-items: flex-start; }
.cp-rank { flex: none; width: 5.4u; height: 5.4u; border-radius: 50%;
  background: #0b2e4f; color: #fff; font-weight: 700; font-size: 3u;
  display: flex; align-items: center; justify-content: center; }
.cp-item { flex: 1; min-width: 0; }
.cp-statement { font-size: 3.4u; line-height: 1.22; font-weight: 600; margin: 0; }
.cp-screen-shoes .cp-statement { font-size: 3u; }
.cp-screen-shoes .cp-list { gap: 1.8u; }
.cp-meta { font-size: 2.4u; color: var(--cp-muted); margin: .6u 0 0;
  display: flex; align-items: center; gap: 1vw; flex-wrap: wrap; }
.cp-bar { display: inline-block; width: 22vw; height: 1.8u; background: #e4e4e4;
  border-radius: .5u; overflow: hidden; vertical-align: middle; }
.cp-bar > span { display: block; height: 100%; background: var(--cp-warm); }
.cp-pill { display: inline-block; padding: .2u .8vw; border-radius: 2u;
  border: .2u solid currentColor; font-size: 2.2u; }
.cp-by { font-size: 2.4u; font-weight: 400; color: var(--cp-muted); }
.cp-shoe { display: flex; align-items: center; gap: 2vw; margin-top: .4u; }
.cp-shoe .cp-meta { margin: 0; }
.cp-track { position: relative; height: 4u; flex: 0 0 45%; }
.cp-track::before { content: ""; position: absolute; left: 0; right: 0; top: 50%;
  height: .5u; background: #d7d7d7; border-radius: .3u; transform: translateY(-50%); }
.cp-mark { position: absolute; top: 50%; transform: translate(-50%, -50%);
  width: 3.2u; height: 3.2u; border: .35u solid #000; }
.cp-mark-actual { border-radius: 50%; background: #0072B2; }
.cp-mark-estimate { background: #E69F00; transform: translate(-50%, -50%) rotate(45deg); }
.cp-columns { display: flex; gap: 2vw; flex: 1 1 0; min-height: 0; }
.cp-column { flex: 1 1 0; min-width: 0; overflow: hidden; }
.cp-column h2 { font-size: 3.2u; margin: 0 0 1u; padding-bottom: .5u;
  border-bottom: .35u solid #0b2e4f; }
.cp-column ul { margin: 0; padding: 0; list-style: none; display: flex;
  flex-direction: column; gap: 1.4u; }
.cp-column li { font-size: 2.9u; line-height: 1.22; padding-left: 1.4vw;
  border-left: .5u solid var(--cp-line); overflow-wrap: anywhere; }
.cp-column li.cp-long { font-size: 2.4u; }
.cp-times { color: var(--cp-muted); font-size: .8em; white-space: nowrap; }
.cp-statement-box { font-size: 3.6u; line-height: 1.25; margin: 0; padding: 1.2u 2vw;
  border-left: .8u solid #0b2e4f; background: #f1f5f9; font-weight: 600;
  overflow-wrap: anywhere; }
.cp-votes { display: flex; gap: 4vw; align-items: center; }
.cp-accept b { font-size: 9u; line-height: 1; color: #0b2e4f; display: block; }
.cp-accept span { font-size: 2.6u; color: var(--cp-muted); }
.cp-choices { flex: 1; display: flex; flex-direction: column; gap: 1u; }
.cp-choice { display: grid; grid-template-columns: 30vw 1fr 8vw; gap: 1vw;
  align-items: center; font-size: 2.8u; }
.cp-choice .cp-bar { width: 100%; height: 2.6u; }
.cp-choice .cp-bar > span { background: var(--cp-accent); }
.cp-choice .cp-bar.cp-no > span { background: repeating-linear-gradient(45deg,
  var(--cp-warm) 0, var(--cp-warm) .6u, #d98a5f .6u, #d98a5f 1.2u); }
.cp-amendments li { font-size: 2.7u; }
/* consultant's prompt, confirmation and the control bar */
.coopkit-present-prompt { flex: none; }
.cp-prompt { background: var(--cp-prompt); border-left: .8u solid var(--cp-prompt-edge);
  padding: .8u 1.4vw; font-size: 1.9u; line-height: 1.25; border-radius: .6u;
  /* the guide's prompt, three lines at most: the screen keeps its room (the whole
     prompt scrolls here, and is in 02_animer and docs/animer.md) */
  max-height: 8.7u; overflow-y: auto; box-sizing: border-box; }
.cp-prompt b { text-transform: uppercase; letter-spacing: .06em; font-size: .85em;
  color: #6b4a00; margin-right: .6vw; }
.coopkit-presenter .coopkit-present-confirm { flex: none; flex-direction: row;
  align-items: center; gap: 1vw;
  background: #fdecea; border: .25u solid #a4262c; border-radius: .8u;
  padding: .8u 1.4vw; }
.coopkit-present-confirm .widget-html p { margin: 0; }
.coopkit-present-confirm .widget-html { flex: 1 1 auto; font-size: 2.5u;
  color: #7d1b20; font-weight: 600; }
.coopkit-present-bar { flex: none; align-items: center; gap: .7vw; flex-wrap: nowrap; }
.coopkit-presenter .jupyter-button, .coopkit-presenter .widget-button {
  font-size: 2.1u; height: auto; min-height: 5.4u; padding: .4u 1vw; margin: 0;
  width: auto; flex: none; white-space: nowrap; border-radius: .6u; line-height: 1.2;
  overflow: visible; }
.coopkit-presenter .jupyter-button.mod-active, .coopkit-presenter .widget-toggle-button.mod-active {
  box-shadow: inset 0 0 0 .3u var(--cp-accent); }
.coopkit-presenter .widget-dropdown, .coopkit-presenter .jupyter-widget-dropdown {
  width: 19vw; flex: none; height: auto; margin: 0; }
.coopkit-presenter .widget-dropdown select, .coopkit-presenter .jupyter-widget-dropdown select {
  width: 100%; flex: 1 1 auto; min-width: 0;
  font-size: 2.1u; height: 5.4u; }
.coopkit-presenter .widget-checkbox, .coopkit-presenter .jupyter-widget-checkbox {
  width: auto; flex: none; height: auto; margin: 0; font-size: 2.1u; }
.coopkit-presenter .widget-checkbox label, .coopkit-presenter .jupyter-widget-checkbox label {
  font-size: 2.1u; line-height: 5.4; height: auto; }
.coopkit-presenter .widget-checkbox input { width: 2.4u; height: 2.4u; }
.coopkit-presenter .coopkit-present-status { flex: 1 1 auto; min-width: 0; text-align: right;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  font-size: 1.8u; line-height: 1.2; color: var(--cp-muted); }
.coopkit-present-status > .widget-html-content,
.coopkit-present-status > .jupyter-widget-html-content { white-space: nowrap; }
.cp-closed { color: #a4262c; font-weight: 700; }
/* colours with a contrast of at least 4.5:1 (the widgets' own warning orange is not) */
.coopkit-presenter .coopkit-present-reveal { background: #1f5f99; color: #fff; }
.coopkit-presenter .coopkit-present-close { background: #8f3a00; color: #fff; }
.coopkit-presenter .coopkit-present-close-yes { background: #a4262c; color: #fff; }
.coopkit-presenter .jupyter-button:disabled, .coopkit-presenter .widget-button:disabled {
  opacity: .55; }
/* the menu's label is for screen readers (the menu shows the screen's name) */
.coopkit-presenter .widget-dropdown > .widget-label,
.coopkit-presenter .jupyter-widget-dropdown > .widget-label {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.cp-sr { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
/* the app around the presenter: empty states and the choice of a workshop */
.coopkit-present-app { font-family: "DejaVu Sans", system-ui, Arial, sans-serif; }
.coopkit-present-app .cp-message { max-width: 60rem; margin: 8vh auto; font-size: 20px;
  line-height: 1.45; }
.coopkit-present-app .cp-message h1 { font-size: 32px; color: #0b2e4f; }
.coopkit-present-app .cp-message code { font-size: .95em; background: #f1f1f1;
  padding: 0 .3em; }
.coopkit-present-choices { max-width: 60rem; margin: 0 auto; gap: 12px; }
.coopkit-present-choices .jupyter-button, .coopkit-present-choices .widget-button {
  width: 100%; min-height: 56px; height: auto; font-size: 20px; white-space: normal;
  text-align: left; padding: 10px 16px; }
"""

_UNIT = re.compile(r"(?<![\w.#-])(\d*\.?\d+)u\b")


def units(css: str) -> str:
    """``2.6u`` -> ``calc(2.6 * var(--u))``: lengths in the presenter's unit."""
    return _UNIT.sub(r"calc(\1 * var(--u))", css)


def unit(value: float) -> str:
    """A length of ``value`` units, for an inline style computed in Python."""
    return f"calc({float(value):.2f} * var(--u))"


#: The presenter's stylesheet (loaded only in the presenter's page).
STYLESHEET = units(_CSS)

#: Only on the presenter's page: the window never scrolls (the empty states and the
#: choice of a workshop, shown before, may).
PAGE_LOCK = "html, body { overflow: hidden !important; }"

#: Arrow keys, space and page up / page down (what a presenter's remote sends) move
#: through the screens by clicking the on-screen buttons, so both ways do the same;
#: ignored while typing in a field. The full-screen button is handled here, in the
#: click itself (browsers allow full screen only in answer to a user's gesture).
KEYS_JS = """
(function () {
  if (window.coopkitPresenterKeys) { return; }
  window.coopkitPresenterKeys = true;
  function press(selector) {
    var button = document.querySelector('.coopkit-presenter ' + selector);
    if (button && !button.disabled) { button.click(); }
  }
  function typing(target) {
    var tag = (target && target.tagName || '').toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' ||
      (target && target.isContentEditable);
  }
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (!document.querySelector('.coopkit-presenter')) { return; }
    var key = event.key;
    if (key === 'ArrowRight' || key === 'PageDown' || key === ' ' || key === 'Spacebar') {
      event.preventDefault(); press('.coopkit-present-next');
    } else if (key === 'ArrowLeft' || key === 'PageUp') {
      event.preventDefault(); press('.coopkit-present-prev');
    }
  }, true);
  document.addEventListener('keyup', function (event) {
    if ((event.key === ' ' || event.key === 'Spacebar') && event.target &&
        event.target.tagName === 'BUTTON' && event.target.closest('.coopkit-presenter')) {
      event.preventDefault();
    }
  }, true);
  document.addEventListener('change', function (event) {
    if (event.target && event.target.closest &&
        event.target.closest('.coopkit-present-menu')) { event.target.blur(); }
  }, true);
  document.addEventListener('click', function (event) {
    var button = event.target && event.target.closest &&
      event.target.closest('.coopkit-present-fullscreen');
    if (!button) { return; }
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }, true);
})();
"""

_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


def qr_svg(url: str, label: str, css: str = "cp-qr") -> str:
    """A QR code of ``url`` as inline SVG (black on white, with its quiet zone), sized by
    the stylesheet; ``label`` is its accessible name (escaped here)."""
    import html

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    svg = image.to_string(encoding="unicode")
    head, rest = svg.split(">", 1)
    head = _SIZE.sub("", head)
    attrs = (f' class="{html.escape(css)}" role="img" aria-label="{html.escape(label)}"'
             ' shape-rendering="crispEdges" style="background:#fff"')
    return f"{head}{attrs}>{rest}"
