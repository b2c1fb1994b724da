"""Telling citizens what happened to their reports: the outbox's delivery worker (`worker`), its
Zalo deliverer (`zalo_delivery`) and ZNS fallback (`zns`). The outbox table itself, written in
the transaction of the change it announces, is `bot.storage.outbox`."""
