"""Storage layer: `db` (engine, sessions, migrations), `models`, and one repository module per
table or concern (`reports`, `wards`, `outbox`, `uploads`…). It builds on the core modules only;
the services (`bot.staff`, `bot.notifications`…) build on it. Import the module you need: this
package re-exports nothing."""
