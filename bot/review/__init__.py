"""The NLU inbox: citizen messages the model was unsure about, and the admin's verdicts.

`inbox` reads them from Rasa's tracker store (read-only); `labels` turns a verdict into
training data (`data/nlu/reviewed.yml`) or into "don't show again"
(`data/nlu/review_discarded.json`); `nlu_files` reads and writes Rasa's YAML format.
"""
