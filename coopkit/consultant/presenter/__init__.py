"""The presenter: what the projector shows while participants answer.

One screen at a time, full screen, in large type, live: the welcome screen (QR code,
address, join code, who joined and validated), the feelings map, the statements that
divide the room, « Se mettre à la place de l'autre », the free texts, the common
purpose put to the room, the action proposals captured, and (only when turned on) the
tendencies. Results screens start hidden until the consultant reveals them.

* :mod:`~.screens`: one widget per screen, each with one ``value``;
* :mod:`~.deck`: :class:`Presenter`, the screens of one workshop with their controls;
* :mod:`~.app`: :class:`PresenterApp`, what ``notebooks/apps/presenter.ipynb`` shows:
  finds the store and the workshop, or says what to do;
* :mod:`~.style`: the stylesheet, the keyboard and the QR code;
* :mod:`~.guide`: :class:`PresenterGuide`, ``02_animer``'s link to the presenter and
  each screen's prompt.

Served by ``coopkit present`` (:mod:`coopkit.serving.present`); documented for
consultants in ``docs/presenter.md``. Knows nothing of SQL nor of the participant app.
"""

from coopkit.consultant.presenter.app import PresenterApp
from coopkit.consultant.presenter.deck import Presenter
from coopkit.consultant.presenter.guide import PresenterGuide

__all__ = ["Presenter", "PresenterApp", "PresenterGuide"]
