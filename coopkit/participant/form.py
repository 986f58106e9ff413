"""Step 1 of the participant app: the questionnaire, one part per page.

A page is a section's own questions, or one of its sub-sections (short pages read
better on a phone). Every answer is saved the moment it is given (``store.save_answer``);
a save that fails (database busy...) is kept and retried at the next answer, at the next
page turn and before the result; the value typed stays in its field. A discreet
indicator (class ``coopkit-saved``) says whether the last answer is saved.

``value`` is the dict of answers given so far (item id -> value), restored ones
included. Widgets of a page are built when the page is first shown: fewer messages over
a weak Wi-Fi when the app opens.

A phone's screen is small: the questions come first. The questionnaire's introduction
is folded (``coopkit-intro``, open it to read it) on the first page only, the progress
is one line and a thin bar, and the per-part completion (``coopkit-overview``) comes
after the buttons.

When the participant has validated on another page (another tab, another phone), this
one locks itself at the next answer or page turn: every control shows what is stored,
nothing can change, and :meth:`FormWidget.on_locked` callbacks run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import traitlets

from coopkit.definitions.questionnaire import Item, Questionnaire, Section
from coopkit.errors import CoopkitError
from coopkit.i18n import t, tn
from coopkit.widgets.html import (
    Notice,
    bar,
    button,
    esc,
    guarded,
    heading,
    html_widget,
    log_unexpected,
    paragraph,
    percent,
)
from coopkit.widgets.items import ItemWidget, answered, item_widget

#: Error codes worth retrying: the answer is kept and sent again at the next change.
RETRY_CODES = ("store_busy",)


@dataclass(frozen=True)
class Page:
    """The questions shown together: a section's own items or one sub-section."""

    section: Section
    part: Section | None
    items: tuple[Item, ...]

    @property
    def title(self) -> Section:
        return self.part or self.section


def pages_of(questionnaire: Questionnaire, group: str | None = None) -> list[Page]:
    """The pages of a questionnaire for one group (parts with no question are skipped)."""
    pages: list[Page] = []
    for section in questionnaire.sections:
        own = tuple(it for it in section.items if it.asked_of(group))
        if own:
            pages.append(Page(section, None, own))
        for sub in section.subsections:
            items = tuple(it for it in sub.all_items() if it.asked_of(group))
            if items:
                pages.append(Page(section, sub, items))
    return pages


class FormWidget(widgets.VBox):
    """The questionnaire with a progress bar, per-part completion and back / next."""

    value = traitlets.Dict()
    page = traitlets.Int(0)
    #: Set when a save found the workshop closed (the app then says so politely).
    closed = traitlets.Bool(False)

    def __init__(self, questionnaire: Questionnaire, store: object, token: str, *,
                 group: str | None = None, lang: str | None = None,
                 notice: Notice | None = None, answers: dict | None = None,
                 to_top: Callable[[], None] | None = None):
        self.questionnaire = questionnaire
        self.store = store
        self.token = token
        self.group = group
        self.lang = lang
        self.notice = notice or Notice()
        self.to_top = to_top
        self.pages = pages_of(questionnaire, group)
        self.items = [it for p in self.pages for it in p.items]
        self._numbers = {it.id: n for n, it in enumerate(self.items, 1)}
        self.widgets: dict[str, ItemWidget] = {}
        self._boxes: dict[int, widgets.VBox] = {}
        self._pending: dict[str, object] = {}
        self._missing: set[str] = set()
        self._finish_callbacks: list[Callable[[], None]] = []
        self._locked_callbacks: list[Callable[[], None]] = []
        self._restoring = False
        self.locked = False
        self.saved_ok = True

        self.progress = html_widget("", "coopkit-progress")
        self.overview = html_widget("", "coopkit-overview")
        self.title = html_widget("", "coopkit-page-title")
        self.body = widgets.VBox()
        self.body.add_class("coopkit-page")
        self.saved = html_widget("", "coopkit-saved")
        self.back_button = button(t("app.form.back", lang), "coopkit-back")
        self.next_button = button(t("app.form.next", lang), "coopkit-next", primary=True)
        self.finish_button = button(t("app.form.finish", lang), "coopkit-finish",
                                    primary=True)
        nav = widgets.HBox([self.back_button, self.next_button, self.finish_button])
        nav.add_class("coopkit-nav")
        super().__init__([self.progress, self.title, self.body, self.saved, nav,
                          self.overview])
        self.add_class("coopkit-form")

        safe = guarded(self.notice, lambda: self.lang)
        self._on_item = safe(self._on_item)  # type: ignore[method-assign]
        self.back_button.on_click(safe(lambda _b: self.go(self.page - 1)))
        self.next_button.on_click(safe(lambda _b: self.go(self.page + 1)))
        self.finish_button.on_click(safe(lambda _b: self.finish()))
        self._known = {it.id for it in questionnaire.items()}
        self.value = {k: v for k, v in (answers or {}).items() if k in self._known}
        if self.value:  # back with a resume link: where answers are still missing
            self.page = self.first_unanswered_page()
        self._show()

    # ----------------------------------------------------------------- navigation

    def on_finish(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when every required question is answered and saved."""
        self._finish_callbacks.append(callback)

    def on_locked(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when this form finds its answers validated elsewhere."""
        self._locked_callbacks.append(callback)

    def go(self, index: int) -> None:
        """Show page ``index`` (clamped); pending answers are retried on the way."""
        if self.validated_elsewhere():
            return
        self.commit_typing()
        self.flush()
        self.page = max(0, min(index, len(self.pages) - 1))

    def validated_elsewhere(self) -> bool:
        """Whether the participant validated on another page; if so, lock this one."""
        if self.locked:
            return True
        try:
            participant = self.store.resume(self.token)  # type: ignore[attr-defined]
        except CoopkitError:
            return False
        if getattr(participant, "validated_at", None) is None:
            return False
        self._locked_elsewhere()
        return True

    def _locked_elsewhere(self) -> None:
        """Show what is stored (not a value the store refused), lock, tell the app."""
        try:
            stored = self.store.answers(self.token)  # type: ignore[attr-defined]
        except Exception:
            log_unexpected("reading the answers back")
            stored = dict(self.value)
        self._pending.clear()
        self._restoring = True
        try:
            self.value = {k: v for k, v in stored.items() if k in self._known}
            for item_id, w in self.widgets.items():
                try:
                    w.value = self.value.get(item_id)
                except traitlets.TraitError:
                    log_unexpected(f"restoring {item_id}")
        finally:
            self._restoring = False
        self.lock()
        self._update_progress()
        self._set_saved(True)
        self.notice.show(t("app.locked_elsewhere", self.lang), "info")
        for callback in self._locked_callbacks:
            callback()

    @traitlets.observe("page")
    def _on_page(self, _change: dict) -> None:
        self._show()
        if self.to_top is not None:
            self.to_top()

    def _show(self) -> None:
        if not self.pages:
            self.body.children = []
            self.title.value = paragraph(t("app.form.no_question", self.lang))
            self._update_nav()
            return
        self.body.children = [self._box(self.page)]
        self.title.value = self._title_html(self.page)
        self._update_nav()
        self._update_progress()

    def _update_nav(self) -> None:
        last = self.page >= len(self.pages) - 1
        self.back_button.layout.display = "none" if self.page == 0 else None
        self.next_button.layout.display = "none" if last else None
        self.finish_button.layout.display = None if last else "none"

    def _title_html(self, index: int) -> str:
        page = self.pages[index]
        lang = self.lang
        parts = [paragraph(t("app.form.page_of", lang, page=index + 1,
                                 pages=len(self.pages)), "coopkit-hint")]
        if index == 0 and self.questionnaire.intro is not None:
            parts.append(f'<details class="coopkit-intro"><summary>'
                         f'{esc(t("app.form.intro", lang))}</summary>'
                         f"{paragraph(self.questionnaire.intro.get(lang))}</details>")
        if page.part is not None:
            parts.append(paragraph(page.section.title.get(lang), "coopkit-hint"))
        parts.append(heading(page.title.title.get(lang), 2))
        first_of_section = index == 0 or self.pages[index - 1].section is not page.section
        if first_of_section and page.section.intro is not None:
            parts.append(paragraph(page.section.intro.get(lang)))
        if page.part is not None and page.part.intro is not None:
            parts.append(paragraph(page.part.intro.get(lang)))
        return "".join(parts)

    def _box(self, index: int) -> widgets.VBox:
        box = self._boxes.get(index)
        if box is None:
            children = [self._item_widget(it) for it in self.pages[index].items]
            box = widgets.VBox(children)
            self._boxes[index] = box
        return box

    def _item_widget(self, item: Item) -> ItemWidget:
        w = item_widget(item, self.lang, self._numbers[item.id])
        saved = self.value.get(item.id)
        if saved is not None:
            try:
                w.value = saved
            except traitlets.TraitError:  # not drawable any more: keep it stored, show empty
                log_unexpected(f"restoring {item.id}")
        if item.id in self._missing:
            w.flag(True)
        if self.locked:
            w.set_disabled(True)
        w.observe(self._on_item, names="value")
        self.widgets[item.id] = w
        return w

    def first_unanswered_page(self) -> int:
        """The first page with a question not answered yet (else the last page)."""
        for index, page in enumerate(self.pages):
            if any(not answered(self.value.get(it.id)) for it in page.items):
                return index
        return max(len(self.pages) - 1, 0)

    def page_widgets(self) -> list[ItemWidget]:
        """The item widgets of the page shown."""
        return [self.widgets[it.id] for it in self.pages[self.page].items] if self.pages \
            else []

    # --------------------------------------------------------------------- saving

    def _on_item(self, change: dict) -> None:
        w: ItemWidget = change["owner"]
        item_id, value = w.item.id, change["new"]
        if value is None or self._restoring:
            return
        if self.locked:
            self.notice.show(t("app.locked", self.lang), "error")
            w.value = self.value.get(item_id)
            return
        self.value = {**self.value, item_id: value}
        if answered(value):
            self._missing.discard(item_id)
        self._pending[item_id] = value
        self.flush()
        self._update_progress()

    def commit_typing(self) -> None:
        """Take the text being typed now, without waiting for the pause."""
        for w in self.widgets.values():
            w.commit()

    def flush(self) -> bool:
        """Send every answer not saved yet; True when nothing is left pending."""
        for item_id, value in list(self._pending.items()):
            try:
                self.store.save_answer(self.token, item_id, value)  # type: ignore[attr-defined]
            except CoopkitError as err:
                if any(code in RETRY_CODES for code in err.codes):
                    self._set_saved(False)
                    return False
                del self._pending[item_id]  # a wrong value: retrying would not help
                if "answers_locked" in err.codes:  # validated on another page
                    self._locked_elsewhere()
                    return False
                if "workshop_closed" in err.codes:
                    self.closed = True
                    return False
                self.notice.error(err, self.lang)
                self._set_saved(False)
                return False
            except Exception:
                log_unexpected(f"saving {item_id}")
                self._set_saved(False)
                return False
            del self._pending[item_id]
        if self.notice.kind == "error" and not self.saved_ok:
            self.notice.clear()
        self._set_saved(True)
        return True

    def _set_saved(self, ok: bool) -> None:
        self.saved_ok = ok
        if ok:
            text = f'<span role="status">✓ {esc(t("app.form.saved", self.lang))}</span>'
        else:
            text = (f'<span class="coopkit-failed" role="alert">'
                    f'{esc(t("app.form.not_saved", self.lang))}</span>')
        self.saved.value = text

    @property
    def pending(self) -> dict[str, object]:
        """Answers given but not saved yet (they are retried)."""
        return dict(self._pending)

    # ----------------------------------------------------------------- completion

    def missing(self) -> list[Item]:
        """Required questions still without an answer, in the questionnaire's order."""
        return [it for it in self.items if it.required and not answered(self.value.get(it.id))]

    def finish(self) -> bool:
        """Step 1 done? Saves what is pending and flags required questions left empty
        (then shows the first page holding one). True when the result may be shown."""
        if self.validated_elsewhere():
            return False
        self.commit_typing()
        if not self.flush():
            self.notice.show(t("app.form.unsaved_before_result", self.lang), "error")
            return False
        missing = self.missing()
        self._missing = {it.id for it in missing}
        for item_id, w in self.widgets.items():
            w.flag(item_id in self._missing)
        if missing:
            first = next(i for i, p in enumerate(self.pages)
                         if any(it.id in self._missing for it in p.items))
            self.notice.show(tn("app.form.missing", len(missing), self.lang), "error")
            self.page = first
            return False
        self.notice.clear()
        for callback in self._finish_callbacks:
            callback()
        return True

    def lock(self) -> None:
        """After validation: nothing can change any more."""
        self.locked = True
        for w in self.widgets.values():
            w.set_disabled(True)

    def _update_progress(self) -> None:
        lang = self.lang
        total = len(self.items)
        done = sum(1 for it in self.items if answered(self.value.get(it.id)))
        share = done / total if total else 0.0
        label = tn("app.form.progress", done, lang, total=total)
        self.progress.value = (f'<p class="coopkit-hint">{esc(label)}</p>'
                               + bar(share, label, "coopkit-progress-bar"))
        rows = []
        for section in self.questionnaire.sections:
            rows.append(self._completion_row(section, section.all_items(), 0))
            for sub in section.subsections:
                rows.append(self._completion_row(sub, sub.all_items(), 1))
        summary = esc(t("app.form.overview", lang))
        self.overview.value = (f"<details><summary>{summary}</summary><ul>"
                               f"{''.join(r for r in rows if r)}</ul></details>")

    def _completion_row(self, section: Section, items, depth: int) -> str:
        shown = [it for it in items if it.asked_of(self.group)]
        if not shown:
            return ""
        done = sum(1 for it in shown if answered(self.value.get(it.id)))
        style = ' style="margin-left:1em"' if depth else ""
        row = t("app.form.overview_row", self.lang, title=section.title.get(self.lang),
                share=percent(done / len(shown), self.lang))
        return f"<li{style}>{esc(row)}</li>"
