"""The baseline parser of vietnamadminunits runs with its online geocoder switched off."""
from __future__ import annotations

import socket

import pytest

from bot.evaluation.baselines import offline_parser, parser_prediction


def test_the_package_parser_never_geocodes_online(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_parser()
    import vietnamadminunits.parser.utils as utils
    from vietnamadminunits.converter import converter_2025

    assert utils.get_geo_location("Phường Dịch Vọng, Quận Cầu Giấy") is None
    assert converter_2025.get_geo_location("Phường Dịch Vọng, Quận Cầu Giấy") is None

    def no_network(*_: object, **__: object) -> None:
        raise AssertionError("the baseline parser tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    parser_prediction("phường Dịch Vọng, quận Cầu Giấy, Hà Nội")  # an old ward that was split
