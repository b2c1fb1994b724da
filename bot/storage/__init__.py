"""Storage layer: `db` (engine, sessions, migrations), `models`, and one repository module per
concern (`reports`, `wards`). Import the module you need; this package re-exports nothing, so
other packages (e.g. `bot.notifications`) can build on `bot.storage.db` without import cycles."""
