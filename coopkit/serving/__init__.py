"""Serving: the processes that put coopkit's apps on a network.

:mod:`~coopkit.serving.serve` is ``coopkit serve`` (the participant app, a standalone
Voilà on the venue's network); :mod:`~coopkit.serving.voila_app` is Voilà's own app with
coopkit's response headers. Knows nothing of the widgets it serves: it starts
notebooks, it does not import them.
"""
