"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): other systems (the city's
portal, a hotline, a third-party app) list our services, file reports and follow them.

- `catalog`: our two services and their definition (`bot/data/open311.yml`), and the limits;
- `location`: where a request is, through the chat's address parser and resolver, refusing
  (with what is missing, in Vietnamese) anything that does not name one ward for certain;
- `submission`: a POST's form read into the chat's own `ReportDraft`, stored by the chat's
  own `submit_report`, once per retry window;
- `query`: the filters of GET requests;
- `documents`: services, requests and errors as the spec's structures; `render`: XML and JSON.

The HTTP side (keys, rate limits, formats, error answers) is `bot.web.routes.open311`.
"""
