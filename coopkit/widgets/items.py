"""One small widget per item type, each with one ``value`` (the answer, None at first).

==========  =============================  ==========================================
type        control                        ``value``
==========  =============================  ==========================================
scale       radio buttons (+ "don't know")  a scale point (int), ``"dk"`` or ``"na"``
intensity   toggle buttons 0..max           int, or ``"na"`` (« Ne me concerne pas »)
single      radio buttons                   the choice id
multiple    check boxes                     list of choice ids, in the choices' order
text        text area                       str
==========  =============================  ==========================================

Nothing is preselected (``value=None`` on radio buttons). The question is an escaped
``<h3 class="coopkit-question">`` so screen readers announce it; a required item left
empty can be flagged with :meth:`ItemWidget.flag`. The 0..max scale is a radio group
drawn as a row of buttons (class ``coopkit-scale-row``): a screen reader says which
value is chosen, where toggle buttons only changed colour.
"""

from __future__ import annotations

import asyncio
from typing import Any

import ipywidgets as widgets
import traitlets

from coopkit.definitions.questionnaire import DONT_KNOW, NOT_APPLICABLE, Item
from coopkit.i18n import t
from coopkit.widgets.html import esc, html_widget, paragraph


def answered(value: object) -> bool:
    """Whether a value counts as an answer (not None, not blank text, not an empty list)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple):
        return bool(value)
    return True


class ItemWidget(widgets.VBox):
    """Base class: the question heading, a control, and ``value`` kept in step with it."""

    value = traitlets.Any(None, allow_none=True)

    def __init__(self, item: Item, lang: str | None = None, number: int | None = None):
        self.item = item
        self.lang = lang
        self.number = number
        self.missing = False
        self._syncing = False
        self.head = html_widget(self._head_html(), "coopkit-item-head")
        self.control = self._build()
        super().__init__([self.head, *self._extras(), self.control])
        self.add_class("coopkit-item")
        self.add_class(f"coopkit-item-{item.type}")
        self._watch(self._on_control)

    # -- to override ------------------------------------------------------------

    def _build(self) -> widgets.Widget:
        raise NotImplementedError

    def _extras(self) -> list[widgets.Widget]:
        return []

    def _watch(self, callback: Any) -> None:
        self.control.observe(callback, names="value")

    def _read(self) -> object:
        return self.control.value

    def _write(self, value: object) -> None:
        self.control.value = value

    def set_disabled(self, disabled: bool) -> None:
        self.control.disabled = disabled

    def commit(self) -> None:
        """Make ``value`` catch up with the control now (text waits for a pause)."""

    # -- shared -----------------------------------------------------------------

    def _on_control(self, _change: dict) -> None:
        if not self._syncing:
            self.value = self._read()

    @traitlets.observe("value")
    def _on_value(self, change: dict) -> None:
        self._syncing = True
        try:
            if self._read() != change["new"]:
                self._write(change["new"])
        finally:
            self._syncing = False
        if self.missing and answered(change["new"]):
            self.flag(False)

    def _head_html(self) -> str:
        item, lang = self.item, self.lang
        prefix = f"{self.number}. " if self.number is not None else ""
        optional = (f' <span class="coopkit-optional">({esc(t("app.item.optional", lang))})'
                    "</span>" if not item.required else "")
        parts = [f'<h3 class="coopkit-question">{esc(prefix + item.text.get(lang))}'
                 f"{optional}</h3>"]
        if item.help is not None:
            parts.append(paragraph(item.help.get(lang), "coopkit-hint"))
        if self.missing:
            parts.append(f'<p class="coopkit-flag" role="alert">'
                         f'{esc(t("app.item.required", lang))}</p>')
        return "".join(parts)

    def flag(self, missing: bool) -> None:
        """Mark (or unmark) this item as a required question left without an answer."""
        self.missing = missing
        self.head.value = self._head_html()
        if missing:
            self.add_class("coopkit-missing")
        else:
            self.remove_class("coopkit-missing")


class ScaleItem(ItemWidget):
    """A point on the questionnaire's scale, plus "don't know" / "not applicable"."""

    def _build(self) -> widgets.Widget:
        scale = self.item.scale
        options: list[tuple[str, object]] = []
        if scale is not None:
            options = [(p.label.get(self.lang), p.value) for p in scale.points]
            if scale.dont_know:
                options.append((t("app.item.dont_know", self.lang), DONT_KNOW))
            if scale.not_applicable:
                options.append((t("app.item.not_applicable", self.lang), NOT_APPLICABLE))
        radio = widgets.RadioButtons(options=options, value=None)
        radio.add_class("coopkit-choices")
        return radio


class IntensityItem(ItemWidget):
    """How strongly, from 0 to ``max``, as a row of big radio buttons."""

    def _build(self) -> widgets.Widget:
        top = self.item.max or 5
        options: list[tuple[str, object]] = [(str(i), i) for i in range(top + 1)]
        if self.item.not_concerned:  # stored as "na", like a scale's "not applicable"
            options.append((t("app.item.not_concerned", self.lang), NOT_APPLICABLE))
        radio = widgets.RadioButtons(options=options, value=None)
        radio.add_class("coopkit-intensity")
        radio.add_class("coopkit-scale-row")
        return radio

    def _extras(self) -> list[widgets.Widget]:
        top = self.item.max or 5
        low = self.item.low.get(self.lang) if self.item.low else ""
        high = self.item.high.get(self.lang) if self.item.high else ""
        text = t("app.item.intensity_hint", self.lang, max=top,
                 low=low or "0", high=high or str(top))
        return [html_widget(paragraph(text, "coopkit-hint"), "coopkit-item-hint")]


class SingleItem(ItemWidget):
    """One choice among several."""

    def _build(self) -> widgets.Widget:
        radio = widgets.RadioButtons(
            options=[(c.label.get(self.lang), c.id) for c in self.item.choices], value=None)
        radio.add_class("coopkit-choices")
        return radio


class MultipleItem(ItemWidget):
    """Any number of choices, as check boxes."""

    def _build(self) -> widgets.Widget:
        self.boxes = {
            c.id: widgets.Checkbox(value=False, description=c.label.get(self.lang),
                                   indent=False)
            for c in self.item.choices
        }
        box = widgets.VBox(list(self.boxes.values()))
        box.add_class("coopkit-checkboxes")
        return box

    def _watch(self, callback: Any) -> None:
        for checkbox in self.boxes.values():
            checkbox.observe(callback, names="value")

    def _read(self) -> list[str]:
        return [cid for cid, checkbox in self.boxes.items() if checkbox.value]

    def _write(self, value: object) -> None:
        chosen = set(value or [])  # type: ignore[arg-type]
        unknown = chosen - set(self.boxes)
        if unknown:
            raise traitlets.TraitError(f"unknown choices for {self.item.id}: {sorted(unknown)}")
        for cid, checkbox in self.boxes.items():
            checkbox.value = cid in chosen

    def set_disabled(self, disabled: bool) -> None:
        for checkbox in self.boxes.values():
            checkbox.disabled = disabled


#: Seconds without a key stroke before a text answer is saved.
TEXT_PAUSE = 1.0


class TextItem(ItemWidget):
    """Free text. The page sends what is typed as it is typed (so a phone locked or a
    tab closed mid-sentence loses nothing that reached the kernel), and ``value`` (hence
    the save) follows after a pause of :data:`TEXT_PAUSE` seconds: one save per
    sentence, not one per letter. :meth:`commit` (page turn, result) does not wait.
    Outside an event loop (tests, scripts) ``value`` follows at once."""

    _timer: asyncio.TimerHandle | None = None

    def _on_control(self, change: dict) -> None:
        if self._syncing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.commit()
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(TEXT_PAUSE, self.commit)

    def commit(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._read() != self.value:
            self.value = self._read()

    def _build(self) -> widgets.Widget:
        area = widgets.Textarea(value="", continuous_update=True,
                                description=t("app.item.text_label", self.lang),
                                placeholder=t("app.item.text_placeholder", self.lang))
        area.add_class("coopkit-text")
        return area

    def _read(self) -> object:
        # "" once typed then erased: saved as such, so an erased answer is erased.
        return self.control.value if self.control.value or self.value is not None else None

    def _write(self, value: object) -> None:
        self.control.value = "" if value is None else str(value)


_KINDS: dict[str, type[ItemWidget]] = {
    "scale": ScaleItem,
    "intensity": IntensityItem,
    "single": SingleItem,
    "multiple": MultipleItem,
    "text": TextItem,
}


def item_widget(item: Item, lang: str | None = None, number: int | None = None) -> ItemWidget:
    """The widget for one item (its ``value`` is None until answered)."""
    return _KINDS[item.type](item, lang, number)
