"""Definitions: what a questionnaire is, before anyone answers it.

The questionnaire model (frozen dataclasses, :mod:`~coopkit.definitions.questionnaire`),
reading it from YAML (:mod:`~coopkit.definitions.yamlsource`) and from or to an XLSForm
(:mod:`~coopkit.definitions.xlsform`), and the method itself as data: feelings, themes,
behaviours, principles, stakeholder groups (:mod:`~coopkit.definitions.method`).

Knows nothing of the store, the analysis, widgets, pandas or matplotlib
(``tests/test_layout.py`` checks it). Nothing is imported here, so that loading the
model does not pull in the YAML or spreadsheet readers.
"""
