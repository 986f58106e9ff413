"""Small HTML pieces shared by the participant widgets: escaping, headings, bars, the
stylesheet, the one message area where errors are shown politely, and what the page
around the widgets is told (:class:`PageScript`, :func:`page_head`: scroll, address,
language and title, freeing the kernel once done). Knows nothing of the store, nor of
which Voilà template draws the page (in one without ``coopkitPage``, the page's part
does nothing).

``ipywidgets.HTML`` inserts its value as raw HTML: every text that comes from a
participant *or* a questionnaire goes through :func:`esc` before it is put in one.
Labels of buttons, radio buttons and check boxes are plain text (never HTML) and are
passed unescaped.
"""

from __future__ import annotations

import html
import json
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

import ipywidgets as widgets

from coopkit.errors import CoopkitError
from coopkit.i18n import t, texts

#: Phone first: nothing wider than the screen (boxes never scroll sideways), touch
#: targets of 44 px at least, text of 16 px (below 16 px, phones zoom into a field when
#: it gets the focus), fields in the page's font. The ``--jp-widgets-*`` variables are
#: redefined for the app only, so the widgets' own CSS follows them. An answer scale
#: drawn as a row (``coopkit-scale-row``) is a radio group whose labels look like
#: buttons: the chosen value is a checked radio for a screen reader, not a colour only.
#: ``coopkit-actionbar`` stays at the bottom of the screen while its page scrolls.
STYLESHEET = """
.coopkit-app {
  --jp-widgets-font-size: 16px;
  --jp-widgets-inline-height: 44px;
  --jp-widgets-inline-width: 100%;
  --jp-widgets-inline-width-short: 100%;
  --jp-widgets-inline-label-width: auto;
  --jp-widgets-radio-item-height-adjustment: 0px;
  --jp-widgets-radio-item-height: 44px;
  --jp-widgets-margin: 0px;
  --coopkit-accent: #1f5f99;
  --coopkit-accent-dark: #164a79;
  --coopkit-danger: #a4262c;
  --coopkit-ok: #1b6e3a;
  font-size: 16px; line-height: 1.45; box-sizing: border-box; color: #1b1b1b;
  width: 100%; max-width: 42rem; margin: 0 auto; padding: 0 8px;
  overflow-wrap: anywhere;
}
.coopkit-app * { box-sizing: border-box; max-width: 100%; }
.coopkit-app, .coopkit-app .widget-box, .coopkit-app .jupyter-widget-box,
.coopkit-app .widget-html, .coopkit-app .jupyter-widget-html { overflow: visible; }
.coopkit-app .widget-html, .coopkit-app .jupyter-widget-html { height: auto; margin: 0; }
.coopkit-app .widget-html-content, .coopkit-app .jupyter-widget-html-content {
  line-height: 1.45; white-space: normal; }
.coopkit-app h1 { font-size: 1.3rem; margin: .5em 0 .2em; line-height: 1.25; }
.coopkit-app h2 { font-size: 1.2rem; margin: .6em 0 .3em; line-height: 1.25; }
.coopkit-app h3 { font-size: 1.05rem; margin: .8em 0 .3em; line-height: 1.3; }
.coopkit-app p { margin: .3em 0 .6em; }
.coopkit-app .jupyter-button, .coopkit-app .widget-button {
  width: 100%; min-height: 44px; height: auto; white-space: normal; font-size: 16px;
  padding: 8px 12px; margin: 4px 0; line-height: 1.3; font-family: inherit; }
.coopkit-app .jupyter-button.mod-primary, .coopkit-app .widget-button.mod-primary {
  background: var(--coopkit-accent); color: #fff; }
.coopkit-app .jupyter-button.mod-primary:hover:enabled {
  background: var(--coopkit-accent-dark); }
.coopkit-app .widget-radio, .coopkit-app .jupyter-widget-radio { width: 100%; height: auto; }
.coopkit-app .widget-radio-box { width: 100%; height: auto; }
.coopkit-app .widget-radio-box label {
  display: flex; align-items: center; min-height: 44px; height: auto; margin: 0;
  line-height: 1.3; padding: 4px 0; white-space: normal; cursor: pointer; }
.coopkit-app .widget-radio-box input {
  order: -1; flex: none; width: 24px; height: 24px; margin: 0 10px 0 2px; }
.coopkit-app .coopkit-scale-row .widget-radio-box {
  flex-direction: row; flex-wrap: wrap; gap: 6px; }
.coopkit-app .coopkit-scale-row .widget-radio-box label {
  position: relative; flex: 1 0 44px; min-width: 44px; min-height: 48px; padding: 0;
  justify-content: center; font-size: 18px; font-weight: 600;
  border: 1px solid #767676; border-radius: 6px; background: #fff; }
.coopkit-app .coopkit-scale-row .widget-radio-box input {
  position: absolute; inset: 0; width: 100%; height: 100%; margin: 0; opacity: 0;
  cursor: pointer; }
.coopkit-app .coopkit-scale-row .widget-radio-box label:has(input:checked) {
  background: var(--coopkit-accent); border-color: var(--coopkit-accent); color: #fff; }
.coopkit-app .coopkit-scale-row .widget-radio-box label:has(input:focus-visible) {
  outline: 3px solid #f2a900; outline-offset: 2px; }
.coopkit-app .coopkit-scale-row .widget-radio-box label:has(input:disabled) {
  cursor: default; opacity: .7; }
@supports not selector(:has(*)) {
  .coopkit-app .coopkit-scale-row .widget-radio-box input {
    position: static; opacity: 1; width: 20px; height: 20px; margin: 0 4px 0 0; }
}
.coopkit-app .widget-checkbox { width: 100%; height: auto; }
.coopkit-app .widget-checkbox > .widget-label { display: none; }
.coopkit-app .widget-checkbox label {
  display: flex; align-items: center; min-height: 44px; white-space: normal;
  line-height: 1.3; cursor: pointer; }
.coopkit-app .widget-checkbox input { order: -1; flex: none; width: 24px; height: 24px;
  margin: 0 10px 0 2px; }
.coopkit-app .widget-text, .coopkit-app .widget-textarea {
  width: 100%; height: auto; flex-wrap: wrap; margin: 0; }
.coopkit-app .widget-text > .widget-label, .coopkit-app .widget-textarea > .widget-label {
  width: 100%; max-width: 100%; text-align: left; font-weight: 600; white-space: normal;
  line-height: 1.3; margin: 0 0 4px; }
.coopkit-app input[type="text"], .coopkit-app textarea {
  width: 100%; min-width: 0; flex: 1 1 100%; margin: 0; font-size: 16px;
  font-family: inherit; line-height: 1.4; min-height: 44px; padding: 8px; }
.coopkit-app textarea { min-height: 7em; resize: vertical; }
.coopkit-app .widget-dropdown select { font-size: 16px; min-height: 44px; font-family: inherit; }
.coopkit-header h1 { margin-bottom: .1em; }
.coopkit-steps ol { display: flex; flex-wrap: wrap; gap: 0 10px; list-style: none;
  padding: 0; margin: 0 0 .4em; font-size: .85rem; }
.coopkit-app .coopkit-steps li { color: #555; margin: 0; }
.coopkit-steps li[aria-current="step"] { color: var(--coopkit-accent); font-weight: 700; }
.coopkit-message:empty, .coopkit-saved:empty, .coopkit-ideas-message:empty {
  display: none; }
.coopkit-note { border-radius: 6px; padding: 10px 12px; margin: 6px 0; }
.coopkit-note-error { background: #fdecea; color: var(--coopkit-danger);
  border: 1px solid #f3b8b4; }
.coopkit-note-info { background: #eaf2fb; color: #123d63; border: 1px solid #b9d3ee; }
.coopkit-note-ok { background: #e9f6ee; color: var(--coopkit-ok); border: 1px solid #b6dfc4; }
.coopkit-saved { font-size: .9rem; color: #555; min-height: 1.4em; }
.coopkit-saved .coopkit-failed { color: var(--coopkit-danger); }
.coopkit-progress-bar, .coopkit-bar { background: #e6e6e6; border-radius: 4px;
  height: 12px; overflow: hidden; margin: 2px 0 6px; }
.coopkit-progress-bar { height: 8px; margin: 0 0 4px; }
.coopkit-progress p { margin: .2em 0 .2em; }
.coopkit-progress-bar > span, .coopkit-bar > span { display: block; height: 100%;
  background: var(--coopkit-accent); }
.coopkit-bar-warm > span { background: #c0562b; }
.coopkit-missing { border-left: 4px solid var(--coopkit-danger); padding-left: 8px; }
.coopkit-flag { color: var(--coopkit-danger); font-weight: 600; }
.coopkit-hint { color: #555; font-size: .95rem; }
.coopkit-optional { color: #555; font-weight: normal; font-size: .9rem; }
.coopkit-resume-code { font-size: 1.2rem; font-weight: 700; letter-spacing: .1em;
  white-space: nowrap; }
.coopkit-resume { margin-top: 8px; }
.coopkit-nav { gap: 8px; flex-wrap: wrap; }
.coopkit-nav > * { flex: 1 1 140px; }
.coopkit-columns { display: flex; flex-wrap: wrap; gap: 0 24px; }
.coopkit-columns > * { flex: 1 1 300px; min-width: 0; }
.coopkit-app details { margin: .2em 0 .4em; }
.coopkit-app details summary { display: flex; align-items: center; min-height: 44px;
  padding: 4px 0; cursor: pointer; color: var(--coopkit-accent); font-weight: 600; }
.coopkit-app details summary::before { content: "▸"; margin-right: 6px; }
.coopkit-app details[open] > summary::before { content: "▾"; }
.coopkit-app details summary::-webkit-details-marker { display: none; }
.coopkit-app a { color: var(--coopkit-accent); text-decoration: underline; }
.coopkit-app a.coopkit-resume-link { display: inline-flex; align-items: center;
  min-height: 44px; min-width: 44px; padding: 4px 0; font-weight: 600; }
.coopkit-app ul { padding-left: 1.2em; margin: .3em 0; }
.coopkit-app li { margin: .25em 0; }
.coopkit-app .coopkit-actionbar { position: sticky; bottom: 0; z-index: 5;
  background: #fff; border-top: 1px solid #d0d0d0; padding: 6px 0 8px;
  box-shadow: 0 -4px 8px rgba(0, 0, 0, .06); }
.coopkit-actionbar p { margin: 0 0 4px; font-size: .95rem; color: #333; }
"""


def esc(text: object) -> str:
    """``text`` made safe for an HTML widget (``<``, ``>``, ``&`` and quotes escaped)."""
    return html.escape("" if text is None else str(text), quote=True)


def heading(text: str, level: int = 3, css: str = "") -> str:
    """An escaped ``<hN>`` (screen readers announce headings and let users jump to them)."""
    attr = f' class="{esc(css)}"' if css else ""
    return f"<h{level}{attr}>{esc(text)}</h{level}>"


def paragraph(text: str | None, css: str = "") -> str:
    """An escaped paragraph, or nothing for an empty text."""
    if not text:
        return ""
    attr = f' class="{esc(css)}"' if css else ""
    return f"<p{attr}>{esc(text)}</p>"


def bar(share: float, label: str, css: str = "coopkit-bar") -> str:
    """A horizontal bar (0..1) with an accessible name; the width is a number we computed."""
    width = max(0.0, min(1.0, float(share))) * 100
    return (f'<div class="{esc(css)}" role="img" aria-label="{esc(label)}">'
            f'<span style="width:{width:.0f}%"></span></div>')


def percent(share: float, lang: str | None) -> str:
    """``0.42`` -> ``"42 %"`` in French, ``"42%"`` in English."""
    value = round(float(share) * 100)
    return t("app.percent", lang, value=value)


def stylesheet() -> widgets.HTML:
    """The app's stylesheet, as an HTML widget (served with the page, nothing fetched)."""
    return widgets.HTML(f"<style>{STYLESHEET}</style>")


def html_widget(value: str = "", css: str = "") -> widgets.HTML:
    """An HTML widget with a stable CSS class (for browser tests and the stylesheet)."""
    w = widgets.HTML(value)
    if css:
        w.add_class(css)
    return w


def button(text: str, css: str, *, primary: bool = False) -> widgets.Button:
    """A full-width button with a visible text (its accessible name) and a stable class."""
    b = widgets.Button(description=text, tooltip=text,
                       button_style="primary" if primary else "")
    b.add_class("coopkit-button")
    b.add_class(css)
    return b


def participant_message(err: CoopkitError, lang: str | None) -> str:
    """The messages of an error for a participant: what and how to fix, no file location
    (``err.format`` starts with ``<input>:``, which means nothing to them)."""
    return "\n".join(p.message(lang, typographic=True) for p in err.problems)


#: Brings the top of the app into view and moves the focus to the new page's heading
#: (for screen readers). A constant: no data of anyone's ever goes into it.
_TO_TOP_JS = (
    "(function(){var a=document.querySelector('.coopkit-app');if(!a)return;"
    "a.scrollIntoView({block:'start'});"
    "var h=a.querySelector('.coopkit-body h2');"
    "if(h){h.setAttribute('tabindex','-1');h.focus({preventScroll:true});}})();"
)


def _js(value: object) -> str:
    """``value`` as a JavaScript literal that cannot close a ``<script>`` element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


class PageScript:
    """What the page does that widgets cannot: go back to the top when the page changes
    (after "Next" at the bottom of a page, a phone would otherwise stay at the bottom of
    the new one), put the resume link in the address bar once joined (a reload,
    frequent over a weak Wi-Fi, then resumes instead of joining again), give the page
    the participant's language and the workshop's title, and, once the participant has
    validated, let the page free its server memory when it is hidden or closed.

    A hidden Output widget receives a small script; the page runs it when it displays
    it. Headless, it only records what was asked (``moves``, ``address``, ``page``,
    ``released``).
    """

    def __init__(self) -> None:
        self.widget = widgets.Output(layout=widgets.Layout(display="none"))
        self.widget.add_class("coopkit-page-script")
        self.moves = 0
        self.address: str | None = None
        self.page: tuple[str, str] | None = None
        self.released = False

    def _run(self, code: str) -> None:
        from IPython.display import Javascript

        self.widget.outputs = ()
        self.widget.append_display_data(Javascript(code))

    def to_top(self) -> None:
        """Scroll to the top of the app; focus the page's heading."""
        self.moves += 1
        self._run(_TO_TOP_JS)

    def set_address(self, query: str) -> None:
        """Replace the address bar's query (e.g. ``?resume=...``) without reloading."""
        self.address = query
        self._run(f"try{{history.replaceState(history.state,'',{_js(query)});}}catch(e){{}}")

    def set_page(self, lang: str, title: str) -> None:
        """The page's language (``<html lang>``) and title (its tab, its bookmark)."""
        if self.page == (lang, title):
            return
        self.page = (lang, title)
        self._run(f"document.documentElement.lang={_js(lang)};document.title={_js(title)};")

    def release_on_leave(self) -> None:
        """From now on, the page hidden or closed shuts its kernel down (coopkit's page:
        ``coopkitPage.releaseOnLeave``; elsewhere nothing happens)."""
        self.released = True
        self._run("if(window.coopkitPage&&coopkitPage.releaseOnLeave)"
                  "{coopkitPage.releaseOnLeave();}")


def page_head(lang: str, title: str, name: str | None = None) -> Any:
    """An HTML output giving coopkit's page the participant's language, its title and
    the workshop's name for the loading screen, while the widgets still load (the
    template's ``coopkitPage.head``; elsewhere, e.g. JupyterLab, it shows nothing)."""
    from IPython.display import HTML

    info = {"lang": lang, "title": title, "name": name or "", "texts": texts("page", lang)}
    return HTML(f"<script>window.coopkitPage&&coopkitPage.head({_js(info)});</script>")


class Notice:
    """The one visible, polite message area of a page (``role="alert"`` when it matters).

    ``widget`` is an HTML widget with the class ``coopkit-message``; it is empty (and
    hidden) when there is nothing to say.
    """

    def __init__(self) -> None:
        self.widget = html_widget("", "coopkit-message")
        self.kind: str | None = None
        self.text = ""

    def show(self, text: str, kind: str = "error") -> None:
        """Show ``text`` (escaped; line breaks kept); ``kind``: error, info or ok."""
        self.kind, self.text = kind, text
        role = "alert" if kind == "error" else "status"
        body = "<br>".join(esc(line) for line in text.splitlines())
        self.widget.value = (f'<div class="coopkit-note coopkit-note-{esc(kind)}" '
                             f'role="{role}">{body}</div>')

    def error(self, err: CoopkitError, lang: str | None) -> None:
        self.show(participant_message(err, lang), "error")

    def clear(self) -> None:
        self.kind, self.text = None, ""
        self.widget.value = ""


def server_log(text: str) -> None:
    """Write ``text`` to the server log, never to the page.

    In a kernel, ``sys.stderr`` is forwarded to the page, but its ``fileno()`` is a copy
    of the process's original stderr (the Voilà server log): write there. Elsewhere
    (tests, a terminal) ``sys.stderr`` is the log.
    """
    stream = sys.stderr
    if type(stream).__module__.startswith("ipykernel"):
        try:
            os.write(stream.fileno(), text.encode("utf-8", "replace"))
            return
        except (OSError, ValueError):
            stream = sys.__stderr__ or stream
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):  # pragma: no cover - nowhere left to write
        pass


def log_unexpected(where: str) -> None:
    """Write the current exception's traceback to the server log."""
    server_log(f"coopkit participant app: unexpected error in {where}\n"
               f"{traceback.format_exc()}")


def guarded(notice: Notice, lang: Callable[[], str | None]) -> Callable:
    """Decorate a callback: a :class:`CoopkitError` becomes a polite message, anything
    else the generic "something went wrong, your answers are saved" message with the
    traceback in the server log. Nothing ever reaches the page as a traceback."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except CoopkitError as err:
                notice.error(err, lang())
            except Exception:
                log_unexpected(getattr(fn, "__qualname__", "callback"))
                notice.show(t("app.unexpected", lang()), "error")
            return None

        return wrapper

    return decorate
