"""A minimal Jupyter-widgets client over a kernel websocket, for the benchmark.

It does what the browser's widget manager does, without a browser: asks the kernel for
every widget's state (``jupyter.widget.control`` / ``request_states``), keeps the states
up to date from ``comm_open`` and ``comm_msg`` messages, sets a widget's value
(``update``) and clicks a button (``custom`` / ``click``). :func:`answer_first_item`
uses it to answer the first question of the participant app, so the store can be
checked for lost answers under a burst.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

#: ipywidgets 8: the widget protocol, and the control channel's (checked on comm_open).
PROTOCOL = "2.1.0"
CONTROL_PROTOCOL = "1.0.0"


class WidgetClient:
    """Widget states of one kernel, and the messages that change them."""

    def __init__(self, ws: Any):
        self.ws = ws
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict[str, Any]] = {}
        self.names: dict[str, str] = {}

    def _message(self, msg_type: str, content: dict[str, Any],
                 version: str = PROTOCOL) -> str:
        return json.dumps({
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type,
                       "username": "bench", "session": self.session, "date": "",
                       "version": "5.3"},
            "parent_header": {}, "metadata": {"version": version}, "content": content,
            "channel": "shell", "buffers": [],
        })

    async def sync(self, timeout: float) -> None:
        """Fetch every widget's state, as the page does when it opens."""
        comm_id = uuid.uuid4().hex
        await self.ws.send(self._message("comm_open", {
            "comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
            CONTROL_PROTOCOL))
        await self.ws.send(self._message("comm_msg", {
            "comm_id": comm_id, "data": {"method": "request_states"}}))
        await self.pump(lambda msg: _is_states_reply(msg, comm_id), timeout)

    async def update(self, model_id: str, **state: Any) -> None:
        await self.ws.send(self._message("comm_msg", {
            "comm_id": model_id,
            "data": {"method": "update", "state": state, "buffer_paths": []}}))
        self.states.setdefault(model_id, {}).update(state)

    async def click(self, model_id: str) -> None:
        await self.ws.send(self._message("comm_msg", {
            "comm_id": model_id, "data": {"method": "custom", "content": {"event": "click"}}}))

    async def pump(self, until: Callable[[dict[str, Any]], bool], timeout: float) -> None:
        """Read messages, applying widget changes, until ``until(message)`` is true."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            self._apply(msg)
            if until(msg):
                return

    async def settle(self, timeout: float, quiet: float = 0.5) -> None:
        """Apply messages until the kernel says nothing for ``quiet`` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                msg = json.loads(await asyncio.wait_for(self.ws.recv(), quiet))
            except TimeoutError:
                return
            self._apply(msg)

    def _apply(self, msg: dict[str, Any]) -> None:
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        data = content.get("data") or {}
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            self.states[content["comm_id"]] = dict(data.get("state", {}))
        elif kind == "comm_msg":
            method = data.get("method")
            if method in ("update", "echo_update") and "state" in data:
                self.states.setdefault(content["comm_id"], {}).update(data["state"])
            elif method == "update_states":
                for model_id, entry in data.get("states", {}).items():
                    self.states[model_id] = dict(entry.get("state", {}))
        elif kind == "comm_close":
            self.states.pop(content.get("comm_id"), None)

    def find(self, model_name: str, **match: Any) -> list[str]:
        """Model ids of the widgets of this kind whose state has these values."""
        found = []
        for model_id, state in self.states.items():
            if state.get("_model_name") != model_name:
                continue
            if all(state.get(k) == v for k, v in match.items()):
                found.append(model_id)
        return found

    def with_class(self, model_id: str, css_class: str) -> bool:
        return css_class in (self.states.get(model_id, {}).get("_dom_classes") or [])


def _is_states_reply(msg: dict[str, Any], comm_id: str) -> bool:
    content = msg.get("content", {})
    return (msg.get("header", {}).get("msg_type") == "comm_msg"
            and content.get("comm_id") == comm_id
            and (content.get("data") or {}).get("method") == "update_states")


def _children(state: dict[str, Any]) -> list[str]:
    return [ref.removeprefix("IPY_MODEL_") for ref in state.get("children") or []]


SELECTIONS = ("RadioButtonsModel", "ToggleButtonsModel", "DropdownModel")


async def answer_first_item(ws: Any, text: str, timeout: float) -> bool:
    """Join with the first group and answer the first question, as a participant would;
    True once the app shows the answer as saved (class ``coopkit-saved``).

    Written against the classes documented in ``coopkit/participant/app.py``: the group
    radio buttons ``coopkit-group``, the button ``coopkit-join-submit``, the questions
    ``coopkit-item`` (+ ``coopkit-item-<type>``) and the indicator ``coopkit-saved``.
    """
    client = WidgetClient(ws)
    await client.sync(timeout)
    groups = [m for m in client.find("RadioButtonsModel") if client.with_class(m, "coopkit-group")]
    submit = [m for m in client.find("ButtonModel")
              if client.with_class(m, "coopkit-join-submit")]
    if not groups or not submit:
        return False
    await client.update(groups[0], index=0)
    await client.click(submit[0])

    def first_item() -> str | None:
        for model_id, state in client.states.items():
            if "coopkit-item" in (state.get("_dom_classes") or []):
                return model_id
        return None

    await client.pump(lambda _msg: first_item() is not None, timeout)
    await client.settle(timeout)
    item = first_item()
    assert item is not None
    item_state = client.states[item]
    pending = _children(item_state)
    while pending:  # the control is a descendant of the item's box
        model_id = pending.pop(0)
        state = client.states.get(model_id, {})
        name = state.get("_model_name")
        if name in SELECTIONS and state.get("_options_labels"):
            await client.update(model_id, index=len(state["_options_labels"]) - 1)
            break
        if name in ("TextareaModel", "TextModel"):
            await client.update(model_id, value=text)
            break
        pending.extend(_children(state))
    else:
        return False

    def saved() -> bool:
        return any("coopkit-saved" in (s.get("_dom_classes") or []) and s.get("value")
                   and "coopkit-failed" not in str(s.get("value"))
                   for s in client.states.values())

    await client.pump(lambda _msg: saved(), timeout)
    return True
