"""Zalo Official Account protocol layer, free of Rasa.

`signature` checks webhook signatures, `events` turns webhook JSON into `ZaloEvent`s,
`api` sends messages and refreshes tokens, `textsplit` cuts long texts for Zalo's limit.
Every mapping of Zalo's wire format lives in these modules.
"""
